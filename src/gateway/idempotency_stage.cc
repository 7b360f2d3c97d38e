#include <chrono>
#include <thread>

#include "stages.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"

namespace ward::gateway {

namespace {

constexpr int64_t kDuplicateWaitUs = 30'000'000;  // how long a duplicate waits for the first

Status checkKey(const std::string& key) {
  if (key.size() > 255) return Status::invalidArgument("idempotency key longer than 255 bytes");
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7E) {
      return Status::invalidArgument("idempotency key must be printable ASCII without spaces");
    }
  }
  return Status();
}

}  // namespace

Json statusToJson(const Status& s) {
  return Json{{"code", std::string(statusCodeName(s.code()))}, {"message", s.message()}};
}

Status statusFromJson(const Json& j) {
  static const StatusCode kCodes[] = {
      StatusCode::kInvalidArgument,    StatusCode::kNotFound,
      StatusCode::kAlreadyExists,      StatusCode::kPermissionDenied,
      StatusCode::kUnauthenticated,    StatusCode::kResourceExhausted,
      StatusCode::kFailedPrecondition, StatusCode::kUnavailable,
      StatusCode::kCorruption,         StatusCode::kInternal};
  std::string code = j.value("code", "internal");
  std::string message = j.value("message", "");
  for (StatusCode c : kCodes) {
    if (statusCodeName(c) == code) return Status(c, message);
  }
  return Status::internal(message);
}

StageResult IdempotencyStage::run(CallContext& call) {
  if (call.approval) return StageResult::next();  // resuming: the key was settled when parked
  const ToolDefinition& def = call.tool->definition;
  const std::string& key = call.request.idempotency_key;
  if (key.empty()) {
    if (def.risk == Risk::kRead) return StageResult::next();
    call.reason = "idempotency key missing";
    return StageResult::reject(Status::invalidArgument(
        std::string(riskName(def.risk)) + " tool '" + def.name +
        "' needs an idempotency key (Idempotency-Key header, or --idempotency-key)"));
  }
  if (Status st = checkKey(key); !st.ok()) return StageResult::reject(st);
  call.args_hash = sha256Hex(def.name + "\n" + canonicalJson(call.request.args));

  store::IdempotencyRecord rec;
  rec.tenant = call.request.principal.tenant;
  rec.principal = call.request.principal.name;
  rec.key = key;
  rec.tool = def.name;
  rec.args_hash = call.args_hash;
  // Real time, not the injected clock: this bounds an actual wait.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(kDuplicateWaitUs);
  // Polling (not an in-process condition variable) so duplicates in other processes wait too.
  for (int64_t sleep_ms = 2;; sleep_ms = std::min<int64_t>(sleep_ms * 2, 50)) {
    const int64_t now = clock_.nowMicros();
    rec.created_at = now;
    rec.expires_at = now + ttl_s_ * 1'000'000;
    bool inserted = false;
    auto held = tools_.claimIdempotencyKey(rec, now, &inserted);
    if (!held.ok()) return StageResult::reject(held.status());
    if (inserted) {
      call.idempotency_claimed = true;
      return StageResult::next();
    }
    if (held->tool != def.name || held->args_hash != call.args_hash) {
      call.reason = "idempotency key reused with other arguments";
      return StageResult::reject(Status::failedPrecondition(
          "idempotency key '" + key + "' was already used with other arguments (tool '" +
          held->tool + "'); use a new key for a different call"));
    }
    if (held->state == "done") {
      if (held->response.is_object() && held->response.contains("error")) {
        call.decision = CallDecision::kReplayed;
        return StageResult::reject(statusFromJson(held->response["error"]));
      }
      call.response = held->response;
      call.response["replayed"] = true;
      call.decision = CallDecision::kReplayed;
      call.reason = "same idempotency key and arguments: stored result returned, not executed";
      return StageResult::stop();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return StageResult::reject(Status::unavailable("a call with idempotency key '" + key +
                                                     "' is still in progress; retry later"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  }
}

void IdempotencyStage::finish(CallContext& call, const Status& final) {
  if (!call.idempotency_claimed) return;
  store::IdempotencyRecord rec;
  rec.tenant = call.request.principal.tenant;
  rec.principal = call.request.principal.name;
  rec.key = call.request.idempotency_key;
  if (final.ok()) {
    rec.response = call.response;
    rec.approval_id = call.response.value("approval_id", "");
  } else if (call.backend_contacted) {
    rec.response = Json{{"error", statusToJson(final)}};
  } else {
    // Nothing reached the backend: free the key so a retry can run the call.
    Status st = tools_.releaseIdempotencyKey(rec.tenant, rec.principal, rec.key);
    if (!st.ok()) logWarn("cannot release idempotency key: " + st.toString());
    return;
  }
  Status st = tools_.completeIdempotencyKey(rec);
  if (!st.ok()) logWarn("cannot store the outcome of an idempotent call: " + st.toString());
}

}  // namespace ward::gateway
