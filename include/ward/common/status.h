// Status and Result<T>: errors as values at module boundaries.
//
// A Status carries a domain code and a human message naming the problem. HTTP status codes are
// derived from it in exactly one place (src/http/error_mapping.cc). Thread-compatible value types.
//
// Both types are [[nodiscard]]: a call whose Status or Result is dropped does not compile
// (-Werror=unused-result). Where dropping an error is right, say why at the call:
// `fs.remove(tmp).ignore("best-effort cleanup; the next open removes it");`
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ward {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,
  kFailedPrecondition,
  kUnavailable,
  kCorruption,
  kInternal,
};

// Stable lowercase name of a code ("invalid_argument"), used in JSON errors and logs.
std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status okStatus() { return Status(); }
  static Status invalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status notFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status alreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status permissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status resourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status failedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: field 'k' must be 1..1000"
  std::string toString() const;

  // Seconds after which a retry may succeed (ResourceExhausted from a rate limit); 0 = unknown.
  // Rendered as the HTTP Retry-After header by src/http/error_mapping.cc.
  Status& withRetryAfterSeconds(int64_t seconds) {
    retry_after_s_ = seconds;
    return *this;
  }
  int64_t retryAfterSeconds() const { return retry_after_s_; }

  // Drops this Status on purpose; `why` says why losing the error is right (documentation only).
  void ignore(std::string_view why) const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int64_t retry_after_s_ = 0;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // Drops this Result (value or error) on purpose; `why` says why (documentation only).
  void ignore(std::string_view why) const {}

 private:
  std::variant<T, Status> v_;
};

}  // namespace ward

#define WARD_CONCAT_INNER(a, b) a##b
#define WARD_CONCAT(a, b) WARD_CONCAT_INNER(a, b)

#define WARD_RETURN_IF_ERROR(expr)       \
  do {                                   \
    ::ward::Status _ward_st = (expr);    \
    if (!_ward_st.ok()) return _ward_st; \
  } while (0)

#define WARD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define WARD_ASSIGN_OR_RETURN(lhs, expr) \
  WARD_ASSIGN_OR_RETURN_IMPL(WARD_CONCAT(_ward_res_, __LINE__), lhs, expr)
