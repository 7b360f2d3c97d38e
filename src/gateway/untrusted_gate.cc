#include "ward/gateway/untrusted_gate.h"
#include "ward/common/toml_file.h"

#include <toml++/toml.h>

#include <utility>

namespace ward::gateway {

std::string_view gateActionName(GateAction a) {
  switch (a) {
    case GateAction::kAllow:
      return "allow";
    case GateAction::kApprove:
      return "approve";
    case GateAction::kDeny:
      return "deny";
  }
  return "deny";
}

Status checkTaintSource(const std::string& source, const std::string& what) {
  if (source.size() > kMaxTaintSourceBytes) {
    return Status::invalidArgument(what + " is longer than " +
                                   std::to_string(kMaxTaintSourceBytes) + " bytes");
  }
  for (const char* prefix : {"doc:", "tool:", "upstream:"}) {
    const std::string p(prefix);
    if (source.size() > p.size() && source.compare(0, p.size(), p) == 0) return Status();
  }
  return Status::invalidArgument(what + " '" + source +
                                 "' must be \"doc:<id>\", \"tool:<name>\" or \"upstream:<name>\"");
}

Result<UntrustedGateConfig> loadUntrustedGateConfig(const std::string& path) {
  UntrustedGateConfig c;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  WARD_ASSIGN_OR_RETURN(const toml::table* gw, tomlSection(table, "gateway"));
  if (gw == nullptr) return c;
  for (auto [key, field] :
       {std::pair<const char*, std::string*>{"untrusted_writes", &c.untrusted_writes},
        {"untrusted_gate", &c.untrusted_gate}}) {
    const toml::node* n = gw->get(key);
    if (n == nullptr) continue;
    if (!n->is_string()) {
      return Status::invalidArgument("ward.toml: 'gateway." + std::string(key) +
                                     "' must be a string");
    }
    *field = *n->value<std::string>();
  }
  if (const toml::node* n = gw->get("trusted_sources")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) {
      return Status::invalidArgument("ward.toml: 'gateway.trusted_sources' must be an array");
    }
    for (const toml::node& e : *a) {
      if (!e.is_string()) {
        return Status::invalidArgument("ward.toml: 'gateway.trusted_sources' must hold strings");
      }
      c.trusted_sources.push_back(*e.value<std::string>());
    }
  }
  return c;
}

Result<UntrustedGate> UntrustedGate::create(const UntrustedGateConfig& config) {
  UntrustedGate g;
  if (config.untrusted_gate == "off") {
    g.enabled_ = false;
  } else if (config.untrusted_gate != "on") {
    return Status::invalidArgument("ward.toml: 'gateway.untrusted_gate' must be \"on\" or \"off\"");
  }
  if (config.untrusted_writes == "deny") {
    g.writes_ = UntrustedWrites::kDeny;
  } else if (config.untrusted_writes != "approve") {
    return Status::invalidArgument(
        "ward.toml: 'gateway.untrusted_writes' must be \"approve\" or \"deny\"");
  }
  for (const std::string& t : config.trusted_sources) {
    WARD_RETURN_IF_ERROR(checkTaintSource(t, "ward.toml: 'gateway.trusted_sources' entry"));
    g.trusted_.push_back(t);
  }
  return g;
}

bool UntrustedGate::isTrusted(const std::string& source) const {
  for (const std::string& t : trusted_) {
    if (!t.empty() && t.back() == '*') {
      if (source.compare(0, t.size() - 1, t, 0, t.size() - 1) == 0) return true;
    } else if (source == t) {
      return true;
    }
  }
  return false;
}

UntrustedGate::Decision UntrustedGate::decide(const TurnTaint& taint, Risk risk) const {
  Decision d;
  for (const std::string& s : taint.sources) {
    (isTrusted(s) && s != kTaintOverflowSource ? d.trusted : d.tainting).push_back(s);
  }
  // Deny by default: a turn marked untrusted that names no source cannot be exempted.
  d.tainted = !d.tainting.empty() || (taint.untrusted && taint.sources.empty());
  if (!d.tainted || risk == Risk::kRead || !enabled_) return d;
  d.action = writes_ == UntrustedWrites::kDeny ? GateAction::kDeny : GateAction::kApprove;
  return d;
}

Json UntrustedGate::record(const TurnTaint& taint, const Decision& d) const {
  if (!taint.untrusted && taint.sources.empty()) return Json();
  auto capped = [](const std::vector<std::string>& v) {
    Json out = Json::array();
    for (size_t i = 0; i < v.size() && i < kMaxTaintSources; ++i) out.push_back(v[i]);
    return out;
  };
  Json r = {{"rule", kUntrustedContentRule},
            {"gate", !enabled_                           ? "off"
                     : writes_ == UntrustedWrites::kDeny ? "deny"
                                                         : "approve"},
            {"tainted", d.tainted},
            {"decision", std::string(gateActionName(d.action))},
            {"sources", capped(taint.sources)},
            {"tainting", capped(d.tainting)},
            {"trusted", capped(d.trusted)}};
  if (taint.sources.size() > kMaxTaintSources) r["sources_truncated"] = true;
  return r;
}

}  // namespace ward::gateway
