// One JSON file per cassette, named by the SHA-256 of its content; the content sealed with the
// subject-key machinery of trace events (a pseudo-event of kind "cassette:<sha256>").
#include "ward/audit/cassette_store.h"

#include "ward/common/clock.h"
#include "ward/common/hash.h"

namespace ward::audit {

namespace {

constexpr const char* kFormat = "ward-cassette/v1";

bool isSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The event whose sealing machinery carries the cassette: its kind binds the ciphertext to the
// content's hash, the tenant and time to the day key.
trace::TraceEvent carrier(const std::string& tenant, const std::string& sha, int64_t time_us) {
  trace::TraceEvent e;
  e.kind = "cassette:" + sha;
  e.tenant = tenant;
  e.time_us = time_us;
  return e;
}

}  // namespace

Json StoredCassette::toJson() const {
  Json j = {{"tenant", tenant},
            {"sha256", sha256},
            {"created", formatRfc3339(created_us)},
            {"erased", erased}};
  if (!erased) j["cassette"] = cassette;
  return j;
}

CassetteStore::CassetteStore(std::string dir, io::FileSystem* fs, SubjectKeyStore* keys)
    : dir_(std::move(dir)), fs_(fs != nullptr ? fs : &io::posixFileSystem()), keys_(keys) {}

std::string CassetteStore::pathOf(const std::string& tenant, const std::string& sha256) const {
  return dir_ + "/" + tenant + "/" + sha256 + ".json";
}

Result<std::string> CassetteStore::put(const std::string& tenant, const std::string& subject,
                                       int64_t time_us, const Json& cassette) {
  const std::string text = dumpJson(cassette);
  if (text.size() > kMaxCassetteFileBytes) {
    return Status::invalidArgument("cassette is " + std::to_string(text.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxCassetteFileBytes));
  }
  const std::string sha = sha256Hex(text);
  const std::string path = pathOf(tenant, sha);
  if (fs_->exists(path)) return sha;  // content-addressed: the same exchange is already there
  WARD_RETURN_IF_ERROR(fs_->createDirs(dir_ + "/" + tenant));
  Json j = {{"format", kFormat}, {"tenant", tenant}, {"sha256", sha}, {"created_us", time_us}};
  if (keys_ != nullptr) {
    trace::TraceEvent e = carrier(tenant, sha, time_us);
    e.principal = subject;
    e.attributes = Json{{"cassette", cassette}};
    WARD_ASSIGN_OR_RETURN(j["sealed"], keys_->seal(e));
  } else {
    j["cassette"] = cassette;
  }
  WARD_RETURN_IF_ERROR(io::writeFileAtomic(*fs_, path, dumpJson(j), 0600));
  return sha;
}

Result<StoredCassette> CassetteStore::get(const std::string& tenant,
                                          const std::string& sha256) const {
  if (!isSha256Hex(sha256)) {
    return Status::invalidArgument("cassette id must be 64 lowercase hex digits (its SHA-256)");
  }
  const std::string path = pathOf(tenant, sha256);
  if (!fs_->exists(path)) return Status::notFound("no stored cassette " + sha256);
  WARD_ASSIGN_OR_RETURN(std::string data, io::readFile(*fs_, path));
  auto j = parseJson(data);
  auto bad = [&](const std::string& why) { return Status::corruption(path + ": " + why); };
  if (!j.ok() || !j->is_object()) return bad("not a JSON object");
  if (j->value("format", "") != kFormat) return bad("unknown format");
  StoredCassette c;
  c.tenant = j->value("tenant", "");
  c.sha256 = j->value("sha256", "");
  c.created_us = j->value("created_us", int64_t{0});
  if (c.tenant != tenant || c.sha256 != sha256) return bad("content does not match its name");
  if (j->contains("sealed")) {
    if (keys_ == nullptr) return Status::failedPrecondition("no audit key store to open cassettes");
    trace::TraceEvent e = carrier(tenant, sha256, c.created_us);
    WARD_ASSIGN_OR_RETURN(bool open, keys_->unseal((*j)["sealed"], e));
    if (!open) {
      c.erased = true;
      return c;
    }
    if (!e.attributes.is_object() || !e.attributes.contains("cassette")) {
      return bad("sealed content is not a cassette");
    }
    c.cassette = std::move(e.attributes["cassette"]);
  } else {
    c.cassette = j->value("cassette", Json());
  }
  if (sha256Hex(dumpJson(c.cassette)) != sha256) return bad("content does not match its checksum");
  return c;
}

}  // namespace ward::audit
