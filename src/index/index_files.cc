#include "index_files.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>

#include "byte_io.h"
#include "state_codec.h"
#include "ward/common/hash.h"
#include "ward/common/json.h"

namespace ward::index {

namespace {

constexpr const char* kManifest = "MANIFEST";
constexpr const char* kLock = "LOCK";
constexpr int kFormatVersion = 1;
constexpr size_t kHeaderBytes = 32;
constexpr uint64_t kMaxManifestBytes = 16u << 20;
constexpr size_t kMaxSegments = 100000;
constexpr int kLoadTries = 3;
constexpr const char* kSegmentMagic = "WARDSEG1";
constexpr const char* kStateMagic = "WARDSTA1";

std::string fileName(const char* kind, uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%020" PRIu64 ".%s", kind, number,
                std::strcmp(kind, "seg") == 0 ? "wsg" : "wst");
  return buf;
}

// The number of a file this module names (seg-N.wsg or state-N.wst); 0 for any other name.
// Only such names are ever opened, so a manifest cannot point outside the directory.
uint64_t fileNumber(const std::string& name) {
  for (const char* kind : {"seg", "state"}) {
    const std::string prefix = std::string(kind) + "-";
    const std::string ext = std::strcmp(kind, "seg") == 0 ? ".wsg" : ".wst";
    if (name.size() != prefix.size() + 20 + ext.size()) continue;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    if (name.compare(name.size() - ext.size(), ext.size(), ext) != 0) continue;
    uint64_t n = 0;
    for (size_t i = prefix.size(); i < prefix.size() + 20; ++i) {
      if (name[i] < '0' || name[i] > '9') return 0;
      n = n * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    return n;
  }
  return 0;
}

const char* changeKindName(store::Change::Kind kind) {
  switch (kind) {
    case store::Change::Kind::kUpsert:
      return "upsert";
    case store::Change::Kind::kDelete:
      return "delete";
    case store::Change::Kind::kAcl:
      return "acl";
  }
  return "?";
}

// The change at `seq` as the manifest records it (null for 0).
Result<Json> appliedChange(store::Store& store, int64_t seq) {
  if (seq == 0) return Json();
  WARD_ASSIGN_OR_RETURN(std::vector<store::Change> changes, store.changesSince(seq - 1, 1));
  if (changes.empty() || changes.front().seq != seq) return Json();
  return Json{{"kind", changeKindName(changes.front().kind)}, {"doc_id", changes.front().doc_id}};
}

std::string header(const char* magic, const std::string& payload) {
  std::string h(magic, 8);
  ByteWriter w(h);
  w.put<uint32_t>(kFormatVersion);
  w.put<uint32_t>(0);
  w.put<uint64_t>(payload.size());
  w.put<uint32_t>(crc32c(payload));
  w.put<uint32_t>(crc32c(h));
  return h;
}

Status corrupt(const std::string& name, const std::string& what) {
  return Status::corruption("index file " + name + ": " + what);
}

}  // namespace

Result<bool> IndexFiles::tryBecomeWriter() {
  if (lock_) return true;
  WARD_RETURN_IF_ERROR(fs_.createDirs(dir_));
  WARD_ASSIGN_OR_RETURN(lock_, fs_.tryLock(path(kLock)));
  return lock_ != nullptr;
}

Status IndexFiles::load(store::Store& store, IndexState* state, SegmentSet* segments) {
  for (int attempt = 1;; ++attempt) {
    Status s = loadOnce(store, state, segments);
    // Unavailable: a file the manifest named was removed by a writer that has since written a
    // newer manifest; read that one.
    if (s.ok() || s.code() != StatusCode::kUnavailable || attempt >= kLoadTries) return s;
    *state = IndexState();
  }
}

Status IndexFiles::loadOnce(store::Store& store, IndexState* state, SegmentSet* segments) {
  WARD_ASSIGN_OR_RETURN(uint64_t manifest_bytes, fs_.fileSize(path(kManifest)));
  if (manifest_bytes > kMaxManifestBytes) return corrupt(kManifest, "larger than 16 MiB");
  WARD_ASSIGN_OR_RETURN(std::string text, io::readFile(fs_, path(kManifest)));
  auto parsed = parseJson(text);
  if (!parsed.ok() || !parsed->is_object()) return corrupt(kManifest, "not a JSON object");
  const Json& m = *parsed;
  try {
    if (m.value("format", "") != "ward-index" || m.value("version", 0) != kFormatVersion) {
      return Status::failedPrecondition("index manifest has format " + m.value("format", "?") +
                                        " version " + std::to_string(m.value("version", 0)) +
                                        ", this ward reads ward-index version 1");
    }
    WARD_ASSIGN_OR_RETURN(std::string store_id, store.storeId());
    if (m.value("store_id", "") != store_id) {
      return Status::failedPrecondition(
          "index files belong to another store (ward.db was "
          "replaced or re-created)");
    }
    const int64_t seq = m.at("applied_seq").get<int64_t>();
    WARD_ASSIGN_OR_RETURN(int64_t last, store.lastChangeSeq());
    if (seq < 0 || seq > last) {
      return Status::failedPrecondition("index files cover change " + std::to_string(seq) +
                                        " but the store's change feed ends at " +
                                        std::to_string(last));
    }
    WARD_ASSIGN_OR_RETURN(Json change, appliedChange(store, seq));
    if (change != m.value("applied_change", Json())) {
      return Status::failedPrecondition("the store's change " + std::to_string(seq) +
                                        " is not the one the index files applied (ward.db "
                                        "restored from a backup?)");
    }
    const Json& st = m.at("state");
    WARD_ASSIGN_OR_RETURN(
        std::string state_payload,
        readChecked(st.at("file").get<std::string>(), st.at("bytes").get<uint64_t>(),
                    st.at("crc32c").get<uint32_t>(), kStateMagic));
    ByteReader r(state_payload);
    if (!decodeState(r, state) || state->applied_seq != seq) {
      return corrupt(st.at("file").get<std::string>(), "malformed state");
    }
    const Json& segs = m.at("segments");
    if (!segs.is_array() || segs.size() > kMaxSegments) return corrupt(kManifest, "bad segments");
    std::vector<FrozenSegment> frozen;
    frozen.reserve(segs.size());
    for (const Json& s : segs) {
      const std::string name = s.at("file").get<std::string>();
      FrozenSegment::FileInfo info{fileNumber(name), s.at("bytes").get<uint64_t>(),
                                   s.at("crc32c").get<uint32_t>()};
      WARD_ASSIGN_OR_RETURN(std::string payload,
                            readChecked(name, info.bytes, info.crc, kSegmentMagic));
      frozen.emplace_back();
      if (!FrozenSegment::decode(payload, state->partitions.size(), &frozen.back())) {
        return corrupt(name, "malformed segment");
      }
      frozen.back().file = info;
    }
    if (!segments->restore(std::move(frozen), r, static_cast<uint32_t>(state->term_ids.size())) ||
        !r.atEnd()) {
      return corrupt(st.at("file").get<std::string>(), "malformed open segment");
    }
    next_file_ = std::max(next_file_, m.at("next_file").get<uint64_t>());
  } catch (const std::exception& e) {  // a field missing or of the wrong type
    return corrupt(kManifest, std::string("unexpected content: ") + e.what());
  }
  return Status();
}

Result<std::string> IndexFiles::readChecked(const std::string& name, uint64_t bytes, uint32_t crc,
                                            const char* magic) {
  if (fileNumber(name) == 0) return corrupt(kManifest, "names a file '" + name + "'");
  auto data = io::readFile(fs_, path(name));
  if (!data.ok()) {
    if (data.status().code() == StatusCode::kNotFound) {
      return Status::unavailable("index file " + name +
                                 " is gone (replaced by a newer checkpoint)");
    }
    return data.status();
  }
  if (data->size() != bytes) {
    return corrupt(
        name, std::to_string(data->size()) + " bytes, the manifest says " + std::to_string(bytes));
  }
  if (crc32c(*data) != crc) return corrupt(name, "checksum mismatch");
  ByteReader h(std::string_view(*data).substr(0, std::min(data->size(), kHeaderBytes)));
  std::string got_magic(8, '\0');
  for (char& c : got_magic) c = static_cast<char>(h.get<uint8_t>());
  const uint32_t version = h.get<uint32_t>();
  (void)h.get<uint32_t>();
  const uint64_t length = h.get<uint64_t>();
  const uint32_t payload_crc = h.get<uint32_t>();
  const uint32_t header_crc = h.get<uint32_t>();
  if (!h.ok() || got_magic != magic) return corrupt(name, "bad magic");
  if (header_crc != crc32c(std::string_view(*data).substr(0, 28))) {
    return corrupt(name, "header checksum mismatch");
  }
  if (version != kFormatVersion) return corrupt(name, "version " + std::to_string(version));
  if (length != data->size() - kHeaderBytes) return corrupt(name, "length mismatch");
  std::string payload = std::move(*data);
  payload.erase(0, kHeaderBytes);
  if (crc32c(payload) != payload_crc) return corrupt(name, "payload checksum mismatch");
  return payload;
}

Result<FrozenSegment::FileInfo> IndexFiles::writeFile(uint64_t number, const char* kind,
                                                      const char* magic,
                                                      const std::string& payload) {
  const std::string h = header(magic, payload);
  io::OpenOptions o;
  o.exclusive = true;
  o.mode = 0600;
  const std::string p = path(fileName(kind, number));
  WARD_ASSIGN_OR_RETURN(auto file, fs_.open(p, o));
  Status s = file->append(h);
  if (s.ok()) s = file->append(payload);
  if (s.ok()) s = file->sync();
  if (!s.ok()) {
    fs_.remove(p).ignore("best effort: the write's error is the one to report");
    return s;
  }
  return FrozenSegment::FileInfo{number, h.size() + payload.size(), crc32c(payload, crc32c(h))};
}

Status IndexFiles::save(store::Store& store, const IndexState& state, SegmentSet& segments) {
  if (!writer()) return Status::failedPrecondition("index: not the writer of " + dir_);
  // Never reuse a file number: not one the current manifest counts up to, not one lying in the
  // directory (a reader may still hold a manifest naming it).
  std::map<uint64_t, std::pair<uint64_t, uint32_t>> named;  // number -> bytes, crc
  if (auto text = io::readFile(fs_, path(kManifest)); text.ok()) {
    auto m = parseJson(*text);
    if (m.ok() && m->is_object()) {
      try {
        next_file_ = std::max(next_file_, m->value("next_file", uint64_t{1}));
        if (m->value("version", 0) == kFormatVersion && m->contains("segments")) {
          for (const Json& s : m->at("segments")) {
            named[fileNumber(s.at("file").get<std::string>())] = {s.at("bytes").get<uint64_t>(),
                                                                  s.at("crc32c").get<uint32_t>()};
          }
        }
      } catch (const std::exception&) {
        named.clear();  // unreadable: write every segment afresh
      }
    }
  }
  WARD_ASSIGN_OR_RETURN(std::vector<std::string> entries, fs_.list(dir_));
  for (const auto& e : entries) next_file_ = std::max(next_file_, fileNumber(e) + 1);

  Json segs = Json::array();
  std::vector<std::string> keep;
  std::string payload;
  for (size_t i = 0; i < segments.frozen().size(); ++i) {
    const FrozenSegment& seg = segments.frozen()[i];
    auto it = named.find(seg.file.number);
    if (seg.file.number == 0 || it == named.end() ||
        it->second != std::make_pair(seg.file.bytes, seg.file.crc)) {
      payload.clear();
      seg.encode(payload);
      WARD_ASSIGN_OR_RETURN(FrozenSegment::FileInfo info,
                            writeFile(next_file_++, "seg", kSegmentMagic, payload));
      segments.setFile(i, info);
    }
    const std::string name = fileName("seg", seg.file.number);
    keep.push_back(name);
    segs.push_back({{"file", name},
                    {"bytes", seg.file.bytes},
                    {"crc32c", seg.file.crc},
                    {"chunks", seg.chunks()}});
  }
  payload.clear();
  payload.shrink_to_fit();
  encodeState(state, segments, payload);
  const uint64_t state_number = next_file_++;
  WARD_ASSIGN_OR_RETURN(FrozenSegment::FileInfo st,
                        writeFile(state_number, "state", kStateMagic, payload));
  payload = std::string();
  keep.push_back(fileName("state", state_number));
  WARD_RETURN_IF_ERROR(fs_.syncDir(dir_));  // the new names are durable before the manifest

  WARD_ASSIGN_OR_RETURN(std::string store_id, store.storeId());
  WARD_ASSIGN_OR_RETURN(Json change, appliedChange(store, state.applied_seq));
  Json m = {{"format", "ward-index"},
            {"version", kFormatVersion},
            {"store_id", store_id},
            {"applied_seq", state.applied_seq},
            {"next_file", next_file_},
            {"state", {{"file", keep.back()}, {"bytes", st.bytes}, {"crc32c", st.crc}}},
            {"segments", segs}};
  if (!change.is_null()) m["applied_change"] = change;
  WARD_RETURN_IF_ERROR(io::writeFileAtomic(fs_, path(kManifest), dumpJson(m, 1) + "\n"));
  return removeUnnamed(keep);
}

Status IndexFiles::removeUnnamed(const std::vector<std::string>& keep) {
  WARD_ASSIGN_OR_RETURN(std::vector<std::string> entries, fs_.list(dir_));
  for (const auto& e : entries) {
    const bool ours = fileNumber(e) != 0 || e.rfind(std::string(kManifest) + ".tmp-", 0) == 0;
    if (!ours || std::find(keep.begin(), keep.end(), e) != keep.end()) continue;
    WARD_RETURN_IF_ERROR(fs_.remove(path(e)));
  }
  return Status();
}

}  // namespace ward::index
