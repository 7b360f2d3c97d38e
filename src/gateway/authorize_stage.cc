#include <algorithm>

#include "policy_cache.h"
#include "stages.h"
#include "ward/gateway/grant_subject.h"

namespace ward::gateway {

namespace {

bool subjectMatches(const store::GrantRecord& g, const identity::Principal& p) {
  return grantSubjectMatches(g.subject_kind, g.subject, p);
}

struct GrantCheck {
  int64_t grant_id = 0;  // 0 = none allows
  std::string why;       // when none allows
};

GrantCheck check(const PolicySnapshot& policy, const identity::Principal& p,
                 const std::string& tool, const Json& args) {
  GrantCheck out;
  std::string constraint_failure;
  for (const store::GrantRecord& g : policy.grants) {
    if (g.tool != "*" && g.tool != tool) continue;
    if (!subjectMatches(g, p)) continue;
    std::string violation = constraintViolation(g.constraints, args);
    if (violation.empty()) {
      out.grant_id = g.id;
      return out;
    }
    if (constraint_failure.empty()) {
      constraint_failure = "grant " + std::to_string(g.id) + " allows it only when " + violation;
    }
  }
  out.why = constraint_failure.empty() ? std::string(identity::principalKindName(p.kind)) + " '" +
                                             p.name + "' has no grant for tool '" + tool + "'"
                                       : std::string(identity::principalKindName(p.kind)) + " '" +
                                             p.name + "': " + constraint_failure;
  return out;
}

}  // namespace

Status validateConstraints(const Json& constraints) {
  if (!constraints.is_object()) {
    return Status::invalidArgument("field 'constraints' must be an object {arg: {max|min|enum}}");
  }
  for (const auto& [arg, c] : constraints.items()) {
    const std::string field = "constraints." + arg;
    if (!c.is_object() || c.empty()) {
      return Status::invalidArgument("field '" + field +
                                     "' must be an object with max, min or enum");
    }
    for (const auto& [k, v] : c.items()) {
      if ((k == "max" || k == "min") && !v.is_number()) {
        return Status::invalidArgument("field '" + field + "." + k + "' must be a number");
      }
      if (k == "enum" && (!v.is_array() || v.empty())) {
        return Status::invalidArgument("field '" + field + ".enum' must be a non-empty array");
      }
      if (k != "max" && k != "min" && k != "enum") {
        return Status::invalidArgument("field '" + field + "." + k +
                                       "': unknown constraint (max, min, enum)");
      }
    }
  }
  return Status();
}

std::string constraintViolation(const Json& constraints, const Json& args) {
  if (!constraints.is_object()) return "";
  for (const auto& [arg, c] : constraints.items()) {
    // A constrained argument must be present: absence must not slip past a bound.
    if (!args.is_object() || !args.contains(arg)) return "argument '" + arg + "' is given";
    const Json& v = args[arg];
    if (c.contains("max")) {
      if (!v.is_number() || v.get<double>() > c["max"].get<double>()) {
        return arg + " <= " + dumpJson(c["max"]);
      }
    }
    if (c.contains("min")) {
      if (!v.is_number() || v.get<double>() < c["min"].get<double>()) {
        return arg + " >= " + dumpJson(c["min"]);
      }
    }
    if (c.contains("enum")) {
      const Json& allowed = c["enum"];
      if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
        return arg + " is one of " + dumpJson(allowed);
      }
    }
  }
  return "";
}

bool hasGrantFor(const PolicySnapshot& policy, const identity::Principal& p,
                 const std::string& tool) {
  for (const store::GrantRecord& g : policy.grants) {
    if ((g.tool == "*" || g.tool == tool) && subjectMatches(g, p)) return true;
  }
  return false;
}

StageResult AuthorizeStage::run(CallContext& call) {
  const std::string& tool = call.tool->definition.name;
  const Json& args = call.request.args;
  if (call.request.agent &&
      !call.policy->delegates(call.request.principal.name, call.request.agent->name)) {
    call.reason = "user '" + call.request.principal.name + "' has not delegated to agent '" +
                  call.request.agent->name + "'";
    return StageResult::reject(Status::permissionDenied("denied: " + call.reason));
  }
  GrantCheck user = check(*call.policy, call.request.principal, tool, args);
  if (user.grant_id == 0) {
    call.reason = user.why;
    return StageResult::reject(Status::permissionDenied("denied: " + user.why));
  }
  call.grant_ids.push_back(user.grant_id);
  if (call.request.agent) {
    GrantCheck agent = check(*call.policy, *call.request.agent, tool, args);
    if (agent.grant_id == 0) {
      call.reason = agent.why;
      return StageResult::reject(Status::permissionDenied(
          "denied: " + agent.why +
          " (an agent gets the intersection of its grants and its user's)"));
    }
    call.grant_ids.push_back(agent.grant_id);
  }
  return StageResult::next();
}

}  // namespace ward::gateway
