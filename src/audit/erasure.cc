// Erasure by subject and retention by day: key destruction plus a tombstone event
// (docs/formats/audit-keys.md, "Tombstone event").
#include "ward/audit/subject_keys.h"
#include "ward/common/clock.h"

namespace ward::audit {

namespace {

Status recordTombstone(trace::TraceSink& sink, const std::string& tenant, const std::string& actor,
                       Json attributes) {
  trace::TraceEvent e;
  e.context = trace::TraceContext::generate();
  e.kind = "erasure";
  e.tenant = tenant;
  e.principal = actor;
  e.time_us = SystemClock::instance().nowMicros();
  e.attributes = std::move(attributes);
  return sink.record(e);
}

}  // namespace

Result<KeyDestruction> eraseSubject(SubjectKeyStore& keys, trace::TraceSink& sink,
                                    const std::string& tenant, const std::string& subject,
                                    const std::string& actor) {
  if (subject.empty()) return Status::invalidArgument("the subject to erase is empty");
  WARD_ASSIGN_OR_RETURN(KeyDestruction d, keys.destroySubject(tenant, subject));
  WARD_RETURN_IF_ERROR(recordTombstone(
      sink, tenant, actor,
      Json{{"scope", "subject"}, {"key_ids", d.key_ids}, {"keys_destroyed", d.key_ids.size()}}));
  return d;
}

Result<KeyDestruction> applyRetention(SubjectKeyStore& keys, trace::TraceSink& sink,
                                      const std::string& tenant, int64_t retention_days,
                                      int64_t now_us) {
  if (retention_days <= 0) return KeyDestruction{};
  // Days strictly before (today - retention_days) go: with 30, today and the 30 days before
  // it stay readable.
  const int64_t kDayUs = 86400LL * 1000000;
  std::string first_kept = utcDay(now_us - retention_days * kDayUs);
  WARD_ASSIGN_OR_RETURN(KeyDestruction d, keys.destroyDaysBefore(tenant, first_kept));
  if (d.key_ids.empty()) return d;
  WARD_RETURN_IF_ERROR(recordTombstone(sink, tenant, "retention",
                                       Json{{"scope", "retention"},
                                            {"before", first_kept},
                                            {"retention_days", retention_days},
                                            {"key_ids", d.key_ids},
                                            {"keys_destroyed", d.key_ids.size()}}));
  return d;
}

}  // namespace ward::audit
