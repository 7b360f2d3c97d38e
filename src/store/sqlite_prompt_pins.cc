// Pinned upstream prompt definitions (schema step 4): trust on first use for an upstream's whole
// prompt set, then every change or addition waits for an admin (docs/design/mcp.md).
#include "sqlite_prompt_pins.h"

#include "prompt_pin_rules.h"

namespace ward::store {

namespace {

Json jsonOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  auto j = parseJson(text);
  return j.ok() ? *j : Json(nullptr);
}

std::string textOf(const Json& j) { return j.is_null() ? std::string() : dumpJson(j); }

Status upsert(Database& db, const PromptPinRecord& r) {
  WARD_ASSIGN_OR_RETURN(
      StmtRef st,
      db.prepare("INSERT OR REPLACE INTO upstream_prompt_pins(tenant,upstream,prompt,pinned_hash,"
                 "pinned_definition,pending_hash,pending_definition,updated_at) "
                 "VALUES(?,?,?,?,?,?,?,?)"));
  st->bind(1, r.tenant);
  st->bind(2, r.upstream);
  st->bind(3, r.prompt);
  st->bind(4, r.pinned_hash);
  st->bind(5, textOf(r.pinned_definition));
  st->bind(6, r.pending_hash);
  st->bind(7, textOf(r.pending_definition));
  st->bind(8, r.updated_at);
  return st->exec("write prompt pin");
}

}  // namespace

Result<std::vector<PromptPinRecord>> selectPromptPins(Database& db, const std::string& tenant,
                                                      const std::string& upstream) {
  WARD_ASSIGN_OR_RETURN(StmtRef st,
                        db.prepare("SELECT prompt,pinned_hash,pinned_definition,pending_hash,"
                                   "pending_definition,updated_at FROM upstream_prompt_pins "
                                   "WHERE tenant=? AND upstream=? ORDER BY prompt"));
  st->bind(1, tenant);
  st->bind(2, upstream);
  std::vector<PromptPinRecord> out;
  while (st->step()) {
    out.push_back(PromptPinRecord{tenant, upstream, st->text(0), st->text(1),
                                  jsonOrNull(st->text(2)), st->text(3), jsonOrNull(st->text(4)),
                                  st->int64(5)});
  }
  WARD_RETURN_IF_ERROR(st->error("list prompt pins"));
  return out;
}

Result<std::vector<PromptPinRecord>> offerPrompts(Database& db, const std::string& tenant,
                                                  const std::string& upstream,
                                                  const std::vector<PromptPinRecord>& offered,
                                                  int64_t now) {
  WARD_ASSIGN_OR_RETURN(std::vector<PromptPinRecord> existing,
                        selectPromptPins(db, tenant, upstream));
  std::vector<PromptPinRecord> out;
  for (PromptPinUpdate& u : applyPromptOffer(std::move(existing), offered, tenant, upstream, now)) {
    if (u.changed) WARD_RETURN_IF_ERROR(upsert(db, u.record));
    out.push_back(std::move(u.record));
  }
  return out;
}

Status approvePromptPin(Database& db, const std::string& tenant, const std::string& upstream,
                        const std::string& prompt, const std::string& expected_hash, int64_t now) {
  WARD_ASSIGN_OR_RETURN(std::vector<PromptPinRecord> pins, selectPromptPins(db, tenant, upstream));
  WARD_ASSIGN_OR_RETURN(PromptPinRecord pinned,
                        approvedPromptPin(std::move(pins), upstream, prompt, expected_hash, now));
  return upsert(db, pinned);
}

}  // namespace ward::store
