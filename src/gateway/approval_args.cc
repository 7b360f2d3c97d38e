// What an approval row keeps of a parked call's arguments: the redacted form, which reviewers
// and listings see, and a sealed copy that only execution opens. The sealed copy uses the
// tenant-secret key (secret_box.h) with its own associated data, "approval:<tenant>/<id>": tenant
// names never contain ':', so it can never be mistaken for a secret's "<tenant>/<name>". The
// store empties it when the call starts executing, is denied or expires (sqlite_approvals.cc).
#include "gateway_impl.h"
#include "ward/common/log.h"

namespace ward::gateway {

namespace {

std::string sealContext(const std::string& tenant, const std::string& id) {
  return "approval:" + tenant + "/" + id;
}

// A call that can still run needs its sealed copy; a settled one only its redacted view.
bool mayStillRun(store::ApprovalState state) {
  return state == store::ApprovalState::kPending || state == store::ApprovalState::kApproved;
}

}  // namespace

Result<std::string> ToolGateway::Impl::sealApprovalArgs(const std::string& tenant,
                                                        const std::string& id,
                                                        const Json& args) const {
  if (!secrets) {
    return Status::failedPrecondition(
        "approvals need the secrets key to seal a parked call's arguments");
  }
  return secrets->seal(dumpJson(args), sealContext(tenant, id));
}

Result<Json> ToolGateway::Impl::unsealApprovalArgs(const store::ApprovalRecord& a) const {
  if (a.sealed_args.empty()) {
    return Status::failedPrecondition("approval '" + a.id +
                                      "' no longer holds its call's arguments");
  }
  if (!secrets) return Status::failedPrecondition("no secrets key configured");
  WARD_ASSIGN_OR_RETURN(std::string raw,
                        secrets->unseal(a.sealed_args, sealContext(a.tenant, a.id)));
  auto args = parseJson(raw);
  if (!args.ok()) return Status::corruption("approval '" + a.id + "': sealed arguments unreadable");
  return std::move(args).value();
}

Status ToolGateway::Impl::convertRawApprovalArgs() {
  WARD_ASSIGN_OR_RETURN(std::vector<store::ApprovalRecord> raw,
                        options.tools->listApprovalsWithRawArgs());
  for (store::ApprovalRecord& a : raw) {
    if (mayStillRun(a.state) && secrets) {
      WARD_ASSIGN_OR_RETURN(a.sealed_args, sealApprovalArgs(a.tenant, a.id, a.args));
    } else {
      a.sealed_args.clear();
    }
    a.args = redactedCopy(a.args);
    WARD_RETURN_IF_ERROR(options.tools->replaceRawApprovalArgs(a));
  }
  if (!raw.empty()) {
    logInfo("approvals: redacted the stored arguments of " + std::to_string(raw.size()) +
            " approval(s) from before schema step 5");
  }
  return Status();
}

}  // namespace ward::gateway
