// The requestState of an input-required result (2026-07-28) for a call parked for approval:
// which principal asked, for which tool, with which arguments (their hash), which approval it
// waits on, and until when — sealed with HMAC-SHA256 under the server's state key. A state that
// was altered, belongs to another principal, tool or argument set, or has expired is refused.
// Private to src/mcp.
#pragma once

#include <cstdint>
#include <string>

#include "ward/common/status.h"

namespace ward::mcp {

struct RequestState {
  std::string tenant;
  int64_t principal_id = 0;
  std::string tool;
  std::string args_hash;  // sha256 of the canonical arguments
  std::string approval_id;
  int64_t expires_us = 0;
  std::string nonce;  // 16 random bytes hex: identifies this state for replay checks
};

// "<hex payload>.<hex hmac>".
std::string sealRequestState(const RequestState& s, const std::string& key);
// Verifies the HMAC (constant time) and the expiry; InvalidArgument names why it is refused.
Result<RequestState> openRequestState(const std::string& token, const std::string& key,
                                      int64_t now_us);

}  // namespace ward::mcp
