// The untrusted-content gate ("lethal trifecta", docs/design/gateway.md "Untrusted content"):
// once the turn behind a call has read untrusted content (CallRequest::taint), a write or
// destructive call needs a reviewer's approval or is denied, whatever its grants say; reads stay
// allowed. The exception is on the content, never on the tool: a source an admin lists in
// `gateway.trusted_sources` does not taint. Immutable after create(); thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/stage.h"
#include "ward/gateway/tool_definition.h"

namespace ward::gateway {

// How many taint sources a turn keeps and a call records (an MCP session's distinct sources, a
// REST body's `untrusted_inputs`); past it an MCP session keeps kTaintOverflowSource, which no
// trusted_sources entry can match, and REST refuses the body.
inline constexpr size_t kMaxTaintSources = 64;
// The longest taint source accepted (REST `untrusted_inputs` entries, trusted_sources entries).
inline constexpr size_t kMaxTaintSourceBytes = 512;
// Stands for the sources an MCP session read past kMaxTaintSources; always taints.
inline constexpr char kTaintOverflowSource[] = "more:sources-not-listed";
// The rule name of the gate in approvals and trace events.
inline constexpr char kUntrustedContentRule[] = "untrusted_content";
// The rule name of a write parked because its arguments carry retrieved private text verbatim
// (exfil_check.h).
inline constexpr char kExfiltrationRule[] = "exfiltration";

// ward.toml's [gateway] keys of the gate, as written (checked by UntrustedGate::create).
struct UntrustedGateConfig {
  std::string untrusted_writes = "approve";  // "approve" | "deny"
  std::string untrusted_gate = "on";         // "on" | "off" (test-only)
  std::vector<std::string> trusted_sources;  // sources, or prefixes ending in '*'
};
// Reads those keys from ward.toml at `path` (defaults when the file or a key is absent);
// InvalidArgument naming the key for a value of the wrong type. WardConfig::load leaves them to
// this function.
Result<UntrustedGateConfig> loadUntrustedGateConfig(const std::string& path);

// What a write or destructive call from a tainted turn gets (gateway.untrusted_writes).
enum class UntrustedWrites { kApprove, kDeny };
// What the gate decided for one call.
enum class GateAction { kAllow, kApprove, kDeny };
std::string_view gateActionName(GateAction a);

// A source is "doc:<id>", "tool:<name>" or "upstream:<name>": InvalidArgument naming `what` else.
Status checkTaintSource(const std::string& source, const std::string& what);

class UntrustedGate {
 public:
  struct Decision {
    GateAction action = GateAction::kAllow;
    bool tainted = false;               // after trusted sources are set aside
    std::vector<std::string> tainting;  // the sources that taint (not trusted)
    std::vector<std::string> trusted;   // the sources gateway.trusted_sources exempted
  };

  // From the [gateway] keys; InvalidArgument naming the key for a bad value. A trusted_sources
  // entry is a source, or a prefix of one ending in '*' ("doc:handbook-*").
  static Result<UntrustedGate> create(const UntrustedGateConfig& config);

  bool enabled() const { return enabled_; }
  UntrustedWrites writes() const { return writes_; }
  // The gate's decision for a call of `risk` from a turn with `taint`. A turn is tainted when it
  // is marked untrusted or names a source, unless every source it names is trusted (a turn
  // marked untrusted with no source named always taints).
  Decision decide(const TurnTaint& taint, Risk risk) const;
  // What the call's trace event records under "untrusted" (null when the turn read nothing):
  // sources (at most kMaxTaintSources), tainting, trusted, the rule, the gate's setting
  // (approve | deny | off) and the decision.
  Json record(const TurnTaint& taint, const Decision& d) const;

 private:
  bool isTrusted(const std::string& source) const;

  bool enabled_ = true;
  UntrustedWrites writes_ = UntrustedWrites::kApprove;
  std::vector<std::string> trusted_;
};

}  // namespace ward::gateway
