#include "approval_moves.h"

#include <array>
#include <string_view>
#include <utility>

namespace ward::store {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kApprovalMoves{{
    {"pending", "approved"},
    {"pending", "denied"},
    {"pending", "expired"},
    {"approved", "executing"},
    {"approved", "executed"},
    {"executing", "executed"},
    {"executing", "failed"},
}};

}  // namespace

Status checkApprovalMove(const std::string& id, const std::string& from, const std::string& to) {
  for (const auto& [a, b] : kApprovalMoves) {
    if (from == a && to == b) return Status();
  }
  return Status::invalidArgument("approval '" + id + "' cannot move from '" + from + "' to '" + to +
                                 "'");
}

}  // namespace ward::store
