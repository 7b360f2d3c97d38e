#include "prompt_pin_rules.h"

#include <map>

namespace ward::store {

std::vector<PromptPinUpdate> applyPromptOffer(std::vector<PromptPinRecord> existing,
                                              const std::vector<PromptPinRecord>& offered,
                                              const std::string& tenant,
                                              const std::string& upstream, int64_t now) {
  const bool first_import = existing.empty();
  std::map<std::string, PromptPinRecord> by_name;
  for (PromptPinRecord& r : existing) by_name[r.prompt] = std::move(r);
  std::vector<PromptPinUpdate> out;
  out.reserve(offered.size());
  for (const PromptPinRecord& o : offered) {
    auto it = by_name.find(o.prompt);
    PromptPinRecord r;
    if (it == by_name.end()) {
      r = PromptPinRecord{tenant, upstream, o.prompt, "", nullptr, "", nullptr, now};
      if (first_import) {
        r.pinned_hash = o.pinned_hash;
        r.pinned_definition = o.pinned_definition;
      }
    } else {
      r = it->second;
    }
    const bool matches_pin = r.pinned_hash == o.pinned_hash;
    // A definition back to the pinned one clears what was pending; a new one replaces it.
    const std::string pending_hash = matches_pin ? "" : o.pinned_hash;
    const bool changed = it == by_name.end() || r.pending_hash != pending_hash;
    r.pending_hash = pending_hash;
    r.pending_definition = matches_pin ? Json(nullptr) : o.pinned_definition;
    if (changed) r.updated_at = now;
    out.push_back({std::move(r), changed});
  }
  return out;
}

Result<PromptPinRecord> approvedPromptPin(std::vector<PromptPinRecord> pins,
                                          const std::string& upstream, const std::string& prompt,
                                          const std::string& expected_hash, int64_t now) {
  for (PromptPinRecord& r : pins) {
    if (r.prompt != prompt) continue;
    if (r.pending_hash.empty()) {
      return Status::failedPrecondition("prompt '" + upstream + "." + prompt +
                                        "' has no definition waiting for approval");
    }
    if (!expected_hash.empty() && expected_hash != r.pending_hash) {
      return Status::failedPrecondition(
          "the pending definition of prompt '" + upstream + "." + prompt + "' is now " +
          r.pending_hash + ", not " + expected_hash +
          ": it changed after you reviewed it; review it again (ward upstream show)");
    }
    r.pinned_hash = r.pending_hash;
    r.pinned_definition = r.pending_definition;
    r.pending_hash.clear();
    r.pending_definition = nullptr;
    r.updated_at = now;
    return std::move(r);
  }
  return Status::notFound("no pinned prompt '" + upstream + "." + prompt + "'");
}

}  // namespace ward::store
