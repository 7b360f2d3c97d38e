// POST /v1/audit/erasures: erasure of a data subject by crypto-shredding (admin only;
// docs/formats/audit-keys.md). Destroys the subject's audit content keys in the caller's
// tenant and records an `erasure` tombstone; the log still verifies.
#include "handlers.h"
#include "ward/audit/subject_keys.h"

namespace ward::http {

// POST /v1/audit/erasures {"subject": "alice"}
Result<HttpResponse> auditErasureCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  if (s.audit_keys == nullptr) {
    return Status::failedPrecondition(
        "audit content is not encrypted (audit.encrypt_subjects = false): nothing to erase");
  }
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  auto it = body.find("subject");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Status::invalidArgument("field 'subject' must be a non-empty string");
  }
  const std::string subject = it->get<std::string>();
  if (subject.size() > 256) return Status::invalidArgument("field 'subject' is over 256 bytes");
  WARD_ASSIGN_OR_RETURN(
      audit::KeyDestruction d,
      audit::eraseSubject(*s.audit_keys, *s.traces, who->tenant, subject, who->name));
  return HttpResponse::json(Json{{"subject", subject},
                                 {"tenant", who->tenant},
                                 {"keys_destroyed", d.key_ids.size()},
                                 {"key_ids", d.key_ids}});
}

}  // namespace ward::http
