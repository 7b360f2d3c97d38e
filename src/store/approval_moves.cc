#include "approval_moves.h"

#include <array>
#include <utility>

namespace ward::store {

namespace {

using S = ApprovalState;

constexpr std::array<std::pair<S, S>, 7> kApprovalMoves{{
    {S::kPending, S::kApproved},
    {S::kPending, S::kDenied},
    {S::kPending, S::kExpired},
    {S::kApproved, S::kExecuting},
    {S::kApproved, S::kExecuted},
    {S::kExecuting, S::kExecuted},
    {S::kExecuting, S::kFailed},
}};

}  // namespace

Status checkApprovalMove(const std::string& id, ApprovalState from, ApprovalState to) {
  for (const auto& [a, b] : kApprovalMoves) {
    if (from == a && to == b) return Status();
  }
  return Status::invalidArgument("approval '" + id + "' cannot move from '" +
                                 std::string(toString(from)) + "' to '" +
                                 std::string(toString(to)) + "'");
}

}  // namespace ward::store
