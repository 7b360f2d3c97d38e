// One JSON file per prompt, named by its SHA-256, so the name is the checksum.
#include "ward/audit/prompt_store.h"

#include "ward/common/clock.h"
#include "ward/common/hash.h"

namespace ward::audit {

namespace {

constexpr const char* kFormat = "ward-prompt/v1";

bool isSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Json StoredPrompt::toJson() const {
  return Json{{"tenant", tenant},
              {"template_id", template_id},
              {"sha256", sha256},
              {"created", formatRfc3339(created_us)},
              {"prompt", text}};
}

PromptStore::PromptStore(std::string dir, io::FileSystem* fs)
    : dir_(std::move(dir)), fs_(fs != nullptr ? fs : &io::posixFileSystem()) {}

std::string PromptStore::pathOf(const std::string& tenant, const std::string& sha256) const {
  return dir_ + "/" + tenant + "/" + sha256 + ".json";
}

Result<std::string> PromptStore::put(const std::string& tenant, const std::string& template_id,
                                     const std::string& text, int64_t now_us) {
  if (text.size() > kMaxPromptBytes) {
    return Status::invalidArgument("rendered prompt is " + std::to_string(text.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxPromptBytes));
  }
  const std::string sha = sha256Hex(text);
  const std::string path = pathOf(tenant, sha);
  if (fs_->exists(path)) return sha;  // content-addressed: the same text is already there
  WARD_RETURN_IF_ERROR(fs_->createDirs(dir_ + "/" + tenant));
  Json j = {{"format", kFormat}, {"tenant", tenant},     {"template_id", template_id},
            {"sha256", sha},     {"created_us", now_us}, {"prompt", text}};
  WARD_RETURN_IF_ERROR(io::writeFileAtomic(*fs_, path, dumpJson(j), 0600));
  return sha;
}

Result<StoredPrompt> PromptStore::get(const std::string& tenant, const std::string& sha256) const {
  if (!isSha256Hex(sha256)) {
    return Status::invalidArgument("prompt id must be 64 lowercase hex digits (its SHA-256)");
  }
  const std::string path = pathOf(tenant, sha256);
  if (!fs_->exists(path)) return Status::notFound("no stored prompt " + sha256);
  WARD_ASSIGN_OR_RETURN(std::string data, io::readFile(*fs_, path));
  auto j = parseJson(data);
  auto bad = [&](const std::string& why) { return Status::corruption(path + ": " + why); };
  if (!j.ok() || !j->is_object()) return bad("not a JSON object");
  if (j->value("format", "") != kFormat) return bad("unknown format");
  StoredPrompt p;
  p.tenant = j->value("tenant", "");
  p.template_id = j->value("template_id", "");
  p.sha256 = j->value("sha256", "");
  p.text = j->value("prompt", "");
  p.created_us = j->value("created_us", int64_t{0});
  if (p.tenant != tenant || p.sha256 != sha256 || sha256Hex(p.text) != sha256) {
    return bad("content does not match its name (checksum)");
  }
  return p;
}

}  // namespace ward::audit
