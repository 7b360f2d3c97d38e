// `ward audit verify`: every record, every checkpoint, every signature, from scratch.
#include "ward/audit/log_verifier.h"

#include <algorithm>

#include "record_codec.h"
#include "segment_scanner.h"
#include "ward/audit/audit_log.h"

namespace ward::audit {

namespace {

struct Segment {
  uint64_t first;
  std::string name;
};

Result<std::vector<Segment>> listSegments(io::FileSystem& fs, const std::string& dir) {
  std::vector<Segment> out;
  std::string log_dir = auditLogSegmentsDir(dir);
  if (!fs.exists(log_dir)) return out;
  WARD_ASSIGN_OR_RETURN(auto names, fs.list(log_dir));
  for (const auto& n : names) {
    uint64_t first;
    if (parseSegmentName(n, &first)) out.push_back({first, n});
  }
  return out;
}

// Walks all records; `on_record` also gets the leaf hash. Returns the torn bytes ignored.
Result<uint64_t> walk(io::FileSystem& fs, const std::string& dir,
                      const std::function<Status(uint64_t, const Hash&, std::string_view)>& fn,
                      const std::function<Status(const SegmentHeader&)>& on_header = nullptr) {
  WARD_ASSIGN_OR_RETURN(auto segments, listSegments(fs, dir));
  ChainPosition pos;
  uint64_t torn = 0;
  io::OpenOptions o;
  o.create = false;
  o.read_only = true;
  for (size_t i = 0; i < segments.size(); ++i) {
    WARD_ASSIGN_OR_RETURN(auto file, fs.open(auditLogSegmentsDir(dir) + "/" + segments[i].name, o));
    ScanRequest req;
    req.file = file.get();
    req.name = segments[i].name;
    req.first_index = segments[i].first;
    req.is_last = i + 1 == segments.size();
    req.on_record = fn;
    req.on_header = on_header;
    WARD_ASSIGN_OR_RETURN(SegmentScan scan, scanSegment(req, pos));
    torn += scan.torn_bytes;
  }
  return torn;
}

}  // namespace

Result<CheckpointVerifier> loadAuditVerifier(io::FileSystem& fs, const std::string& dir) {
  WARD_ASSIGN_OR_RETURN(auto signer, CheckpointSigner::load(fs, auditSigningKeyPath(dir)));
  return signer.verifier();
}

Status forEachAuditRecord(io::FileSystem& fs, const std::string& dir,
                          const std::function<Status(uint64_t, std::string_view)>& fn) {
  auto r =
      walk(fs, dir, [&](uint64_t i, const Hash&, std::string_view body) { return fn(i, body); });
  return r.status();
}

Status forEachAuditRecordWithLeaf(
    io::FileSystem& fs, const std::string& dir,
    const std::function<Status(uint64_t, const Hash&, std::string_view)>& fn) {
  return walk(fs, dir, fn).status();
}

Result<ExternalCheckpoints> parseExternalCheckpoints(std::string_view text) {
  WARD_ASSIGN_OR_RETURN(Json j, parseJson(std::string(text)));
  ExternalCheckpoints out;
  if (j.is_object() && j.contains("checkpoints")) {
    if (!j["checkpoints"].is_array()) {
      return Status::invalidArgument("checkpoint export: 'checkpoints' must be an array");
    }
    for (const auto& c : j["checkpoints"]) {
      WARD_ASSIGN_OR_RETURN(Checkpoint cp, Checkpoint::fromJson(c));
      out.checkpoints.push_back(std::move(cp));
    }
    if (j.contains("public_key")) {
      if (!j["public_key"].is_string()) {
        return Status::invalidArgument("checkpoint export: 'public_key' must be a string");
      }
      out.public_key_pem = j["public_key"].get<std::string>();
    }
    return out;
  }
  WARD_ASSIGN_OR_RETURN(Checkpoint cp, Checkpoint::fromJson(j));
  out.checkpoints.push_back(std::move(cp));
  return out;
}

Json exportCheckpoints(const std::vector<Checkpoint>& checkpoints,
                       const CheckpointVerifier& verifier) {
  Json list = Json::array();
  for (const auto& c : checkpoints) list.push_back(c.toJson());
  return Json{{"format", "ward-audit-checkpoints/v1"},
              {"key_id", verifier.keyId()},
              {"public_key", verifier.publicKeyPem()},
              {"checkpoints", list}};
}

Result<VerifyReport> verifyAuditLog(const VerifyOptions& options) {
  io::FileSystem& fs = options.fs ? *options.fs : io::posixFileSystem();
  WARD_ASSIGN_OR_RETURN(CheckpointVerifier own, loadAuditVerifier(fs, options.dir));
  struct Pending {
    Checkpoint cp;
    std::string source;
  };
  std::vector<Pending> pending;
  WARD_ASSIGN_OR_RETURN(auto cps, readCheckpointFile(fs, auditCheckpointsPath(options.dir)));
  for (size_t i = 0; i < cps.size(); ++i) {
    WARD_RETURN_IF_ERROR(own.verify(cps[i]));
    pending.push_back({cps[i], "checkpoints.jsonl line " + std::to_string(i + 1)});
  }
  if (options.external) {
    CheckpointVerifier ext = own;
    if (!options.external->public_key_pem.empty()) {
      WARD_ASSIGN_OR_RETURN(ext,
                            CheckpointVerifier::fromPublicKeyPem(options.external->public_key_pem));
    }
    for (const auto& c : options.external->checkpoints) {
      WARD_RETURN_IF_ERROR(ext.verify(c));
      pending.push_back({c, "external checkpoint at tree size " + std::to_string(c.tree_size)});
    }
  }
  std::stable_sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    return a.cp.tree_size < b.cp.tree_size;
  });

  VerifyReport report;
  MerkleFrontier frontier;
  size_t next = 0;
  uint64_t last_good = 0;  // size of the last checkpoint that matched
  auto check_due = [&]() -> Status {
    while (next < pending.size() && pending[next].cp.tree_size == frontier.size()) {
      const Pending& p = pending[next++];
      if (frontier.root() != p.cp.root) {
        return Status::corruption(
            p.source + " (tree size " + std::to_string(p.cp.tree_size) +
            ") does not match the log: one of records " + std::to_string(last_good) + ".." +
            std::to_string(p.cp.tree_size - 1) + " was changed, removed, inserted or reordered");
      }
      last_good = p.cp.tree_size;
      ++report.checkpoints;
    }
    return Status();
  };
  WARD_RETURN_IF_ERROR(check_due());
  WARD_ASSIGN_OR_RETURN(
      report.torn_bytes,
      walk(
          fs, options.dir,
          [&](uint64_t, const Hash& leaf, std::string_view) -> Status {
            frontier.append(leaf);
            return check_due();
          },
          [&](const SegmentHeader& h) -> Status {
            if (frontier.stack() != h.frontier) {
              return Status::corruption("audit log segment " + segmentName(h.first_index) +
                                        ": the Merkle frontier in its header does not match "
                                        "the records before it");
            }
            return Status();
          }));
  report.records = frontier.size();
  report.root = frontier.root();
  if (next < pending.size()) {
    const Pending& p = pending[next];
    return Status::corruption(p.source + " covers " + std::to_string(p.cp.tree_size) +
                              " records but the log has only " + std::to_string(report.records) +
                              ": records from " + std::to_string(report.records) +
                              " on were removed");
  }
  return report;
}

}  // namespace ward::audit
