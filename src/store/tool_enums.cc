// Each enum's strings in one table; toString and parse read the same table, so the two cannot
// disagree (tests/unit/store/tool_enums_test.cc round-trips every value).
#include "ward/store/tool_enums.h"

#include <array>
#include <string>
#include <utility>

namespace ward::store {

namespace {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<ApprovalState, 7> kApprovalStates{{
    {ApprovalState::kPending, "pending"},
    {ApprovalState::kApproved, "approved"},
    {ApprovalState::kExecuting, "executing"},
    {ApprovalState::kExecuted, "executed"},
    {ApprovalState::kFailed, "failed"},
    {ApprovalState::kDenied, "denied"},
    {ApprovalState::kExpired, "expired"},
}};

constexpr NameTable<GrantSubjectKind, 4> kGrantSubjectKinds{{
    {GrantSubjectKind::kPrincipal, "principal"},
    {GrantSubjectKind::kGroup, "group"},
    {GrantSubjectKind::kAgent, "agent"},
    {GrantSubjectKind::kUsers, "users"},
}};

constexpr NameTable<ModeScope, 3> kModeScopes{{
    {ModeScope::kServer, "server"},
    {ModeScope::kTenant, "tenant"},
    {ModeScope::kAgent, "agent"},
}};

constexpr NameTable<ToolPutOutcome, 4> kToolPutOutcomes{{
    {ToolPutOutcome::kCreated, "created"},
    {ToolPutOutcome::kUnchanged, "unchanged"},
    {ToolPutOutcome::kReplaced, "replaced"},
    {ToolPutOutcome::kQuarantined, "quarantined"},
}};

template <typename E, size_t N>
std::string_view nameIn(const NameTable<E, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";  // unreachable for a value of the enum
}

template <typename E, size_t N>
Result<E> parseIn(const NameTable<E, N>& table, std::string_view what, std::string_view s) {
  std::string expected;
  for (const auto& [e, name] : table) {
    if (name == s) return e;
    expected += expected.empty() ? "" : ", ";
    expected += name;
  }
  return Status::invalidArgument("unknown " + std::string(what) + " '" + std::string(s) +
                                 "' (expected one of " + expected + ")");
}

}  // namespace

std::string_view toString(ApprovalState s) { return nameIn(kApprovalStates, s); }

Result<ApprovalState> parseApprovalState(std::string_view s) {
  return parseIn(kApprovalStates, "approval state", s);
}

bool isSettled(ApprovalState s) {
  return s != ApprovalState::kPending && s != ApprovalState::kApproved &&
         s != ApprovalState::kExecuting;
}

std::string_view toString(GrantSubjectKind k) { return nameIn(kGrantSubjectKinds, k); }

Result<GrantSubjectKind> parseGrantSubjectKind(std::string_view s) {
  return parseIn(kGrantSubjectKinds, "grant subject kind", s);
}

std::string_view toString(ModeScope s) { return nameIn(kModeScopes, s); }

Result<ModeScope> parseModeScope(std::string_view s) {
  return parseIn(kModeScopes, "mode scope", s);
}

std::string_view toolPutOutcomeName(ToolPutOutcome o) { return nameIn(kToolPutOutcomes, o); }

}  // namespace ward::store
