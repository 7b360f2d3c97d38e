// Preparing change-feed documents for the index and applying them to IndexState and SegmentSet:
// the write side that MemoryIndex::catchUp drives (it holds the locks and owns the state).
#include "prepared_doc.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <unordered_set>

namespace ward::index {

namespace {

constexpr uint32_t kUnresolvedTerm = UINT32_MAX;

void growTokens(std::vector<std::string>& into, const std::vector<std::string>& add) {
  std::vector<std::string> merged;
  std::set_union(into.begin(), into.end(), add.begin(), add.end(), std::back_inserter(merged));
  into = std::move(merged);
}

uint16_t partitionFor(IndexState& st, const std::vector<std::string>& acl_tokens) {
  std::string key;
  for (const auto& t : acl_tokens) {
    key += t;
    key += '\n';
  }
  auto it = st.partition_by_acl.find(key);
  if (it != st.partition_by_acl.end()) return it->second;
  if (st.partitions.size() >= kMaxPartitions) {
    growTokens(st.partitions.back().tokens, acl_tokens);
    return static_cast<uint16_t>(st.partitions.size() - 1);
  }
  st.partitions.emplace_back();
  st.partitions.back().tokens = acl_tokens;
  uint16_t id = static_cast<uint16_t>(st.partitions.size() - 1);
  st.partition_by_acl[key] = id;
  return id;
}

uint32_t termId(IndexState& st, const std::string& term, uint64_t hash) {
  return st.term_ids.insert(term, hash, static_cast<uint32_t>(st.term_ids.size())).first->value;
}

// Where a chunk is placed: its document, its date and its ACL partition.
struct ChunkPlacement {
  int64_t doc_id = 0;
  int64_t updated_at = 0;
  uint16_t partition = 0;
};

void addChunk(IndexState& st, SegmentSet& segments, const AnalyzedChunk& a,
              const ChunkPlacement& at) {
  uint32_t c = a.chunk_id;
  if (c >= st.chunk_doc.size()) {
    size_t n = std::max<size_t>(c + 1, st.chunk_doc.size() * 3 / 2 + 1024);
    st.chunk_doc.resize(n, 0);
    st.chunk_updated.resize(n, 0);
    st.len_title.resize(n, 0);
    st.len_heading.resize(n, 0);
    st.len_body.resize(n, 0);
    st.chunk_partition.resize(n, 0);
  }
  st.chunk_partition[c] = at.partition;
  st.chunk_doc[c] = at.doc_id;
  st.chunk_updated[c] = at.updated_at;
  st.len_title[c] = static_cast<uint16_t>(std::min<uint32_t>(a.len_title, 65535));
  st.len_heading[c] = static_cast<uint16_t>(std::min<uint32_t>(a.len_heading, 65535));
  st.len_body[c] = a.len_body;
  thread_local std::vector<std::pair<uint32_t, FieldTf>> postings;
  postings.clear();
  for (size_t i = 0; i < a.terms.size(); ++i) {
    uint32_t id = a.term_ids[i];
    if (id == kUnresolvedTerm) id = termId(st, a.terms[i].first, a.hashes[i]);
    postings.emplace_back(id, a.terms[i].second);
  }
  if (!st.live.test(c)) ++st.live_count;
  st.live.set(c);
  segments.add(c, postings);
  st.max_chunk = std::max(st.max_chunk, c);
}

void removeChunk(IndexState& st, SegmentSet& segments, uint32_t c) {
  if (!st.live.test(c)) return;
  st.live.clear(c);
  --st.live_count;
  segments.remove(c);
}

}  // namespace

namespace {

// Prepares version `doc` of a live document with `chunks`, its current chunks in ordinal order.
PreparedDoc prepareVersion(const store::DocumentRecord& doc,
                           const std::vector<store::ChunkRecord>& chunks, const IndexState& st,
                           std::shared_mutex& mu) {
  PreparedDoc p;
  p.doc_id = doc.id;
  p.updated_at = doc.updated_at;
  p.tokens = doc.tokens();
  p.acl_tokens = doc.acl.tokens(doc.tenant);
  std::sort(p.acl_tokens.begin(), p.acl_tokens.end());
  std::unordered_set<uint32_t> known;
  {
    std::shared_lock lock(mu);
    auto it = st.docs.find(doc.id);
    if (it != st.docs.end()) known.insert(it->second.chunks.begin(), it->second.chunks.end());
  }
  for (const auto& c : chunks) {
    uint32_t id = static_cast<uint32_t>(c.id);
    p.chunk_ids.push_back(id);
    if (!known.count(id)) {
      p.analyzed.push_back(analyzeChunk(id, doc.title, c.heading_path, c.text));
    }
  }
  // Resolve term ids here, on the analysis threads, so the exclusive section only interns new
  // terms. st.term_ids cannot change meanwhile: only this catch-up (catchup_mu_) writes it, after
  // preparation ends.
  std::shared_lock lock(mu);
  for (AnalyzedChunk& a : p.analyzed) {
    a.term_ids.resize(a.terms.size());
    for (size_t i = 0; i < a.terms.size(); ++i) {
      const auto* e = st.term_ids.find(a.terms[i].first, a.hashes[i]);
      a.term_ids[i] = e == nullptr ? kUnresolvedTerm : e->value;
    }
  }
  return p;
}

}  // namespace

Result<PreparedDoc> prepareDoc(store::Store& store, const IndexState& st, std::shared_mutex& mu,
                               int64_t doc_id, const WrittenDoc* written) {
  auto doc = store.getDocumentById(doc_id);
  if (!doc.ok() || doc->deleted) {
    if (!doc.ok() && doc.status().code() != StatusCode::kNotFound) return doc.status();
    PreparedDoc p;
    p.doc_id = doc_id;
    p.deleted = true;
    return p;
  }
  // A version's chunks never change (a rewrite is a new version), so the writer's chunks of the
  // version the store holds are the stored ones.
  const auto has_id = [](const store::ChunkRecord& c) { return c.id > 0; };
  if (written != nullptr && written->version == doc->version &&
      std::all_of(written->write->chunks.begin(), written->write->chunks.end(), has_id)) {
    PreparedDoc p = prepareVersion(*doc, written->write->chunks, st, mu);
    p.writer_chunks = true;
    return p;
  }
  WARD_ASSIGN_OR_RETURN(std::vector<store::ChunkRecord> chunks, store.chunksOf(doc_id));
  return prepareVersion(*doc, chunks, st, mu);
}

std::vector<WrittenDoc> writtenDocs(const std::vector<store::WriteResult>& results,
                                    const std::vector<store::DocumentWrite>& writes) {
  std::vector<WrittenDoc> out;
  for (size_t i = 0; i < results.size() && i < writes.size(); ++i) {
    const store::WriteResult& r = results[i];
    if (r.outcome != store::WriteOutcome::kCreated && r.outcome != store::WriteOutcome::kUpdated) {
      continue;
    }
    out.push_back(WrittenDoc{r.doc_id, r.version, &writes[i]});
  }
  return out;
}

void applyBatch(IndexState& st, SegmentSet& segments, std::vector<PreparedDoc>& batch) {
  std::vector<std::pair<AnalyzedChunk*, const PreparedDoc*>> adds;
  for (auto& p : batch) {
    auto it = st.docs.find(p.doc_id);
    if (it != st.docs.end()) {
      DocState& old = it->second;
      std::unordered_set<uint32_t> keep(p.chunk_ids.begin(), p.chunk_ids.end());
      if (p.deleted) keep.clear();
      for (uint32_t c : old.chunks) {
        if (!keep.count(c)) removeChunk(st, segments, c);
      }
      for (const auto& t : old.tokens) {
        auto bm = st.token_bitmaps.find(t);
        if (bm == st.token_bitmaps.end()) continue;
        for (uint32_t c : old.chunks) bm->second.remove(c);
        if (bm->second.isEmpty()) st.token_bitmaps.erase(bm);
      }
      if (p.deleted) {
        st.docs.erase(it);
        continue;
      }
    }
    if (p.deleted) continue;
    DocState& doc = st.docs[p.doc_id];
    doc.chunks = p.chunk_ids;
    doc.tokens = p.tokens;
    for (auto& a : p.analyzed) adds.emplace_back(&a, &p);
    // Chunks kept from before stay live; (re)attach the document's tokens to all its chunks.
    for (const auto& t : doc.tokens) {
      Roaring& bm = st.token_bitmaps[t];
      for (uint32_t c : doc.chunks) bm.add(c);
    }
    for (uint32_t c : doc.chunks) {
      if (c < st.chunk_updated.size()) st.chunk_updated[c] = p.updated_at;
      if (c < st.chunk_partition.size() && st.live.test(c)) {
        growTokens(st.partitions[st.chunk_partition[c]].tokens, p.acl_tokens);
      }
    }
  }
  std::sort(adds.begin(), adds.end(),
            [](const auto& a, const auto& b) { return a.first->chunk_id < b.first->chunk_id; });
  for (auto& [a, p] : adds) {
    addChunk(st, segments, *a, {p->doc_id, p->updated_at, partitionFor(st, p->acl_tokens)});
  }
}

}  // namespace ward::index
