// The key store and sealing of trace-event content (docs/formats/audit-keys.md).
#include <ctime>
#include <optional>

#include "ward/common/random_pool.h"
#include "ward/audit/subject_keys.h"
#include "ward/common/aead.h"
#include "ward/common/clock.h"
#include "ward/common/encoding.h"
#include "ward/common/hash.h"
#include "ward/common/mutex.h"

namespace ward::audit {

namespace {

constexpr size_t kMaxKeyFileBytes = 4096;
constexpr const char* kSealSalt = "ward-audit-seal/v1";
constexpr const char* kErasedFile = "erased.jsonl";

std::string nameKey(const std::string& kind, const std::string& tenant, const std::string& name) {
  return kind + "/" + tenant + "/" + name;
}

std::string crcLine(const std::string& line) {
  char buf[16];
  snprintf(buf, sizeof buf, "%08x", crc32c(line));
  return std::string("crc32c ") + buf;
}

Result<SubjectKey> parseKeyFile(const std::string& path, const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Status::corruption("key file " + path + ": " + why);
  };
  if (text.size() > kMaxKeyFileBytes) return bad("larger than 4 KiB");
  size_t nl = text.find('\n');
  if (nl == std::string::npos) return bad("no checksum line");
  std::string line = text.substr(0, nl);
  if (text.substr(nl + 1) != crcLine(line) + "\n") return bad("checksum mismatch");
  auto j = parseJson(line);
  if (!j.ok() || !j->is_object()) return bad("not a JSON object");
  SubjectKey k;
  try {
    k.key_id = j->at("key_id").get<std::string>();
    k.kind = j->at("kind").get<std::string>();
    k.tenant = j->at("tenant").get<std::string>();
    k.subject = j->at("subject").get<std::string>();
    k.day = j->at("day").get<std::string>();
    k.created_us = j->at("created_us").get<int64_t>();
    auto key = hexDecode(j->at("key").get<std::string>());
    if (!key || key->size() != kAeadKeyBytes) return bad("key is not 32 bytes of hex");
    k.key = std::move(*key);
  } catch (const std::exception& e) {
    return bad(std::string("missing or mistyped field: ") + e.what());
  }
  if (k.kind != "subject" && k.kind != "day") return bad("unknown kind '" + k.kind + "'");
  return k;
}

std::string aadFor(const trace::TraceEvent& e, const std::string& subject_id,
                   const std::string& day_id) {
  return std::string(kSealSalt) + "\n" + e.context.trace_id + "\n" + e.context.span_id + "\n" +
         e.kind + "\n" + e.tenant + "\n" + std::to_string(e.time_us) + "\n" + subject_id + "\n" +
         day_id + "\n";
}

}  // namespace

std::string utcDay(int64_t time_us) {
  time_t secs = static_cast<time_t>(time_us / 1000000);
  if (time_us < 0 && time_us % 1000000 != 0) --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Result<std::unique_ptr<SubjectKeyStore>> SubjectKeyStore::open(io::FileSystem& fs,
                                                               const std::string& dir,
                                                               bool read_only) {
  if (!read_only) WARD_RETURN_IF_ERROR(fs.createDirs(dir));
  std::unique_ptr<SubjectKeyStore> store(new SubjectKeyStore(fs, dir, read_only));
  if (!read_only) {
    // Kept open (created empty if absent) so that the check before every seal is one fstat of
    // this handle, not a path lookup. Ward only ever appends to the file, never replaces it.
    WARD_ASSIGN_OR_RETURN(store->erased_file_, fs.open(dir + "/" + kErasedFile, io::OpenOptions()));
  }
  MutexLock lock(store->mu_);
  WARD_RETURN_IF_ERROR(store->loadAllLocked());
  return store;
}

Status SubjectKeyStore::loadAllLocked() {
  by_id_.clear();
  by_name_.clear();
  erased_.clear();
  content_keys_.clear();
  erased_size_ = 0;
  if (!fs_.exists(dir_)) return Status();
  WARD_ASSIGN_OR_RETURN(auto names, fs_.list(dir_));
  for (const std::string& name : names) {
    if (name.size() < 5 || name.substr(name.size() - 4) != ".key") continue;
    if (by_id_.size() >= kMaxKeys) {
      return Status::resourceExhausted("more than 1,000,000 keys in " + dir_);
    }
    std::string path = dir_ + "/" + name;
    WARD_ASSIGN_OR_RETURN(std::string text, io::readFile(fs_, path));
    WARD_ASSIGN_OR_RETURN(SubjectKey k, parseKeyFile(path, text));
    by_name_[nameKey(k.kind, k.tenant, k.kind == "day" ? k.day : k.subject)] = k.key_id;
    by_id_[k.key_id] = std::move(k);
  }
  std::string erased_path = dir_ + "/" + kErasedFile;
  if (fs_.exists(erased_path)) {
    WARD_ASSIGN_OR_RETURN(std::string text, io::readFile(fs_, erased_path));
    erased_size_ = text.size();
    size_t p = 0;
    while (p < text.size()) {
      size_t nl = text.find('\n', p);
      if (nl == std::string::npos) break;  // a torn last line: its key file is already gone
      auto j = parseJson(text.substr(p, nl - p));
      if (j.ok() && j->is_object() && j->contains("key_id") && (*j)["key_id"].is_string()) {
        erased_.insert((*j)["key_id"].get<std::string>());
      }
      p = nl + 1;
    }
  }
  return Status();
}

Status SubjectKeyStore::refreshIfErasedLocked() {
  // One fstat per seal (a writer holds the file open); a reader stats the path, where a missing
  // file (nothing erased yet) reads as size 0.
  uint64_t size = 0;
  if (erased_file_ != nullptr) {
    WARD_ASSIGN_OR_RETURN(size, erased_file_->size());
  } else {
    auto by_path = fs_.fileSize(dir_ + "/" + kErasedFile);
    if (!by_path.ok() && by_path.status().code() != StatusCode::kNotFound) {
      return by_path.status();
    }
    size = by_path.ok() ? *by_path : 0;
  }
  if (size == erased_size_) return Status();
  return loadAllLocked();
}

Result<const SubjectKey*> SubjectKeyStore::keyForLocked(const std::string& kind,
                                                        const std::string& tenant,
                                                        const std::string& name, int64_t now_us) {
  auto it = by_name_.find(nameKey(kind, tenant, name));
  if (it != by_name_.end()) {
    auto k = by_id_.find(it->second);
    if (k != by_id_.end() && !erased_.count(k->first)) return &k->second;
  }
  if (by_id_.size() >= kMaxKeys) {
    return Status::resourceExhausted("the audit key store holds 1,000,000 keys (its limit)");
  }
  SubjectKey k;
  k.key_id = randomHex(16);
  k.kind = kind;
  k.tenant = tenant;
  (kind == "day" ? k.day : k.subject) = name;
  k.key = randomBytes(kAeadKeyBytes);
  k.created_us = now_us;
  std::string line = dumpJson(Json{{"created_us", k.created_us},
                                   {"day", k.day},
                                   {"key", hexEncode(k.key)},
                                   {"key_id", k.key_id},
                                   {"kind", k.kind},
                                   {"subject", k.subject},
                                   {"tenant", k.tenant},
                                   {"v", 1}});
  std::string path = dir_ + "/" + k.key_id + ".key";
  io::OpenOptions o;
  o.exclusive = true;
  WARD_ASSIGN_OR_RETURN(auto file, fs_.open(path, o));
  WARD_RETURN_IF_ERROR(file->append(line + "\n" + crcLine(line) + "\n"));
  WARD_RETURN_IF_ERROR(file->sync());
  WARD_RETURN_IF_ERROR(fs_.syncDir(dir_));
  by_name_[nameKey(kind, tenant, name)] = k.key_id;
  auto [pos, inserted] = by_id_.emplace(k.key_id, std::move(k));
  return &pos->second;
}

Result<std::string> SubjectKeyStore::contentKeyLocked(const std::string& subject_id,
                                                      const std::string& day_id) {
  std::string cache_key = subject_id + "/" + day_id;
  auto it = content_keys_.find(cache_key);
  if (it != content_keys_.end()) return it->second;
  std::string ikm;
  if (!subject_id.empty()) ikm += by_id_.at(subject_id).key;
  ikm += by_id_.at(day_id).key;
  WARD_ASSIGN_OR_RETURN(std::string key, hkdfSha256(ikm, kSealSalt, cache_key));
  content_keys_[cache_key] = key;
  return key;
}

Result<Json> SubjectKeyStore::seal(const trace::TraceEvent& event) {
  WARD_ASSIGN_OR_RETURN(std::vector<Json> sealed,
                        sealAll(std::span<const trace::TraceEvent>(&event, 1)));
  return std::move(sealed.front());
}

Result<std::vector<Json>> SubjectKeyStore::sealAll(std::span<const trace::TraceEvent> events) {
  if (read_only_) return Status::failedPrecondition("the audit key store is open read-only");
  struct Keys {
    std::string subject_id, day_id, key;
  };
  std::vector<Keys> keys(events.size());
  {
    // Only the key lookups are serialised; encryption below runs on the caller's thread. The
    // erasure list is checked once for the events recorded together.
    MutexLock lock(mu_);
    WARD_RETURN_IF_ERROR(refreshIfErasedLocked());
    int64_t now = SystemClock::instance().nowMicros();
    for (size_t i = 0; i < events.size(); ++i) {
      const trace::TraceEvent& event = events[i];
      WARD_ASSIGN_OR_RETURN(const SubjectKey* day,
                            keyForLocked("day", event.tenant, utcDay(event.time_us), now));
      keys[i].day_id = day->key_id;
      if (!event.principal.empty()) {
        WARD_ASSIGN_OR_RETURN(const SubjectKey* s,
                              keyForLocked("subject", event.tenant, event.principal, now));
        keys[i].subject_id = s->key_id;
      }
      WARD_ASSIGN_OR_RETURN(keys[i].key, contentKeyLocked(keys[i].subject_id, keys[i].day_id));
    }
  }
  std::vector<Json> out;
  out.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const trace::TraceEvent& event = events[i];
    const Keys& k = keys[i];
    // {"attributes":…,"principal":…} (sorted keys, compact) without copying the attributes.
    const std::string plaintext = "{\"attributes\":" + dumpJson(event.attributes) +
                                  ",\"principal\":" + dumpJson(Json(event.principal)) + "}";
    // Nonces are not secret: drawn from the per-thread pool (random_pool.h), never repeated.
    std::string nonce = pooledRandomBytes(kAeadNonceBytes);
    WARD_ASSIGN_OR_RETURN(std::string ct,
                          aeadSeal(k.key, nonce, aadFor(event, k.subject_id, k.day_id), plaintext));
    out.push_back(Json{{"ct", base64Encode(ct)},
                       {"day_key", k.day_id},
                       {"nonce", hexEncode(nonce)},
                       {"subject_key", k.subject_id},
                       {"v", 1}});
  }
  return out;
}

Result<bool> SubjectKeyStore::unseal(const Json& sealed, trace::TraceEvent& event) {
  auto field = [&](const char* name) -> std::string {
    auto it = sealed.find(name);
    return it != sealed.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string subject_id = field("subject_key"), day_id = field("day_key");
  const std::optional<std::string> nonce = hexDecode(field("nonce"));
  const std::optional<std::string> ct = base64Decode(field("ct"));
  if (!sealed.is_object() || day_id.empty() || !nonce || nonce->size() != kAeadNonceBytes || !ct) {
    return Status::corruption("malformed sealed object");
  }
  MutexLock lock(mu_);
  // A long-lived reader must not keep opening records whose key was destroyed since it loaded.
  WARD_RETURN_IF_ERROR(refreshIfErasedLocked());
  auto missing = [&](const std::string& id)
                     WARD_REQUIRES(mu_) { return !id.empty() && !by_id_.count(id); };
  // A key another process created after this store was loaded: look once more, unless the id
  // is listed as erased or was already looked for (readers meet one id in many records).
  auto worth_reload = [&](const std::string& id) WARD_REQUIRES(mu_) {
    return missing(id) && !erased_.count(id) && !looked_for_.count(id);
  };
  if (worth_reload(subject_id) || worth_reload(day_id)) {
    WARD_RETURN_IF_ERROR(loadAllLocked());
    if (missing(subject_id)) looked_for_.insert(subject_id);
    if (missing(day_id)) looked_for_.insert(day_id);
  }
  if (missing(subject_id) || missing(day_id)) {
    bool subject_gone = missing(subject_id);
    event.principal = "[erased]";
    event.attributes =
        Json{{"erased", true},
             {"reason", subject_gone ? "subject key destroyed" : "day key destroyed (retention)"}};
    return false;
  }
  WARD_ASSIGN_OR_RETURN(std::string key, contentKeyLocked(subject_id, day_id));
  WARD_ASSIGN_OR_RETURN(std::string plain,
                        aeadOpen(key, *nonce, aadFor(event, subject_id, day_id), *ct));
  auto j = parseJson(plain);
  if (!j.ok() || !j->is_object()) return Status::corruption("sealed content is not JSON");
  event.principal = j->value("principal", "");
  auto a = j->find("attributes");
  event.attributes = a != j->end() && a->is_object() ? *a : Json::object();
  return true;
}

Status SubjectKeyStore::destroyLocked(const SubjectKey& key, int64_t now_us) {
  if (read_only_) return Status::failedPrecondition("the audit key store is open read-only");
  std::string path = dir_ + "/" + key.key_id + ".key";
  {
    // Zero-fill before removing, so the key bytes do not linger in the file's old extent on
    // file systems that rewrite in place (best effort; see the format doc).
    io::OpenOptions o;
    o.create = false;
    WARD_ASSIGN_OR_RETURN(auto file, fs_.open(path, o));
    WARD_ASSIGN_OR_RETURN(uint64_t size, file->size());
    WARD_RETURN_IF_ERROR(file->truncate(0));
    WARD_RETURN_IF_ERROR(file->append(std::string(size, '\0')));
    WARD_RETURN_IF_ERROR(file->sync());
  }
  WARD_RETURN_IF_ERROR(fs_.remove(path));
  WARD_RETURN_IF_ERROR(fs_.syncDir(dir_));
  io::OpenOptions o;
  WARD_ASSIGN_OR_RETURN(auto erased, fs_.open(dir_ + "/" + kErasedFile, o));
  std::string line =
      dumpJson(Json{{"key_id", key.key_id}, {"kind", key.kind}, {"time_us", now_us}}) + "\n";
  WARD_RETURN_IF_ERROR(erased->append(line));
  WARD_RETURN_IF_ERROR(erased->sync());
  return Status();
}

Result<KeyDestruction> SubjectKeyStore::destroySubject(const std::string& tenant,
                                                       const std::string& subject) {
  MutexLock lock(mu_);
  WARD_RETURN_IF_ERROR(loadAllLocked());
  std::vector<SubjectKey> victims;
  for (const auto& [id, k] : by_id_) {
    if (k.kind == "subject" && k.tenant == tenant && k.subject == subject) victims.push_back(k);
  }
  if (victims.empty()) {
    return Status::notFound("no audit content key for subject '" + subject + "' in tenant '" +
                            tenant + "' (nothing recorded, or already erased)");
  }
  KeyDestruction out;
  int64_t now = SystemClock::instance().nowMicros();
  for (const SubjectKey& k : victims) {
    WARD_RETURN_IF_ERROR(destroyLocked(k, now));
    out.key_ids.push_back(k.key_id);
  }
  WARD_RETURN_IF_ERROR(loadAllLocked());
  return out;
}

Result<KeyDestruction> SubjectKeyStore::destroyDaysBefore(const std::string& tenant,
                                                          const std::string& first_kept_day) {
  MutexLock lock(mu_);
  WARD_RETURN_IF_ERROR(loadAllLocked());
  std::vector<SubjectKey> victims;
  for (const auto& [id, k] : by_id_) {
    if (k.kind == "day" && k.tenant == tenant && k.day < first_kept_day) victims.push_back(k);
  }
  KeyDestruction out;
  int64_t now = SystemClock::instance().nowMicros();
  for (const SubjectKey& k : victims) {
    WARD_RETURN_IF_ERROR(destroyLocked(k, now));
    out.key_ids.push_back(k.key_id);
  }
  if (!victims.empty()) WARD_RETURN_IF_ERROR(loadAllLocked());
  return out;
}

std::vector<std::string> SubjectKeyStore::days(const std::string& tenant) {
  MutexLock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, k] : by_id_) {
    if (k.kind == "day" && k.tenant == tenant) out.push_back(k.day);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

struct ProcessKeys {
  Mutex mu;
  SubjectKeyStore* lent WARD_GUARDED_BY(mu) = nullptr;
  io::FileSystem* fs WARD_GUARDED_BY(mu) = nullptr;
  std::string dir WARD_GUARDED_BY(mu);
  std::unique_ptr<SubjectKeyStore> read_only WARD_GUARDED_BY(mu);
};

ProcessKeys& processKeys() {
  static ProcessKeys* keys = new ProcessKeys();  // never destroyed: readers may run at exit
  return *keys;
}

}  // namespace

void setProcessKeyStore(SubjectKeyStore* keys) {
  MutexLock lock(processKeys().mu);
  processKeys().lent = keys;
}

void setProcessKeyDir(io::FileSystem* fs, const std::string& dir) {
  ProcessKeys& p = processKeys();
  MutexLock lock(p.mu);
  if (p.fs == fs && p.dir == dir) return;
  p.fs = fs;
  p.dir = dir;
  p.read_only.reset();
}

SubjectKeyStore* processKeyStore() {
  ProcessKeys& p = processKeys();
  MutexLock lock(p.mu);
  if (p.lent != nullptr) return p.lent;
  if (!p.read_only && p.fs != nullptr && !p.dir.empty()) {
    auto opened = SubjectKeyStore::open(*p.fs, p.dir, /*read_only=*/true);
    if (opened.ok()) p.read_only = std::move(opened).value();
  }
  return p.read_only.get();
}

std::vector<std::string> SubjectKeyStore::tenants() {
  MutexLock lock(mu_);
  std::set<std::string> out;
  for (const auto& [id, k] : by_id_) {
    if (k.kind == "day") out.insert(k.tenant);
  }
  return {out.begin(), out.end()};
}

}  // namespace ward::audit
