// The `answer` trace event and the answer's JSON form (docs/formats/answer.md).
#include "answer_record.h"

#include <map>

#include "ward/common/clock.h"
#include "ward/common/hash.h"

namespace ward::answer {

namespace {

Json ratio(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

Json sentencesJson(const AnswerResult& r) {
  Json out = Json::array();
  for (const AnswerSentence& s : r.sentences) {
    Json cites = Json::array();
    for (const CheckedCitation& c : s.citations) cites.push_back(c.toJson());
    out.push_back({{"text", s.text}, {"supported", s.supported()}, {"citations", cites}});
  }
  return out;
}

Json unsupportedJson(const AnswerResult& r) {
  Json out = Json::array();
  for (const AnswerSentence& s : r.sentences) {
    if (!s.supported()) out.push_back(s.text);
  }
  return out;
}

Json droppedJson(const AnswerResult& r) {
  Json out = Json::array();
  for (const AnswerSentence& s : r.sentences) {
    for (const CheckedCitation& c : s.citations) {
      if (c.failed) out.push_back(c.toJson());
    }
  }
  return out;
}

Json removedLinksJson(const AnswerResult& r) {
  Json out = Json::array();
  for (const text::RemovedLink& l : r.removed_links) {
    out.push_back({{"kind", l.kind}, {"url", l.url}, {"host", l.host}});
  }
  return out;
}

}  // namespace

Json AnswerResult::toJson() const {
  Json cites = Json::array();
  for (const Citation& c : shownCitations()) cites.push_back(c.toJson());
  Json j = {{"answer", answer},
            {"mode", std::string(answerModeName(mode))},
            {"citations", cites},
            {"sentences", sentencesJson(*this)},
            {"unsupported", unsupportedJson(*this)},
            {"dropped_citations", droppedJson(*this)},
            {"removed_links", removedLinksJson(*this)},
            {"citation_precision", ratio(citation_precision)},
            {"citation_coverage", ratio(citation_coverage)},
            {"trace_id", trace_id}};
  if (mode == AnswerMode::kModel) j["model"] = model;
  return j;
}

trace::TraceEvent answerEvent(const AnswerRecordInput& in) {
  const AnswerResult& r = in.result;
  trace::TraceEvent ev;
  ev.context = in.trace;
  ev.kind = "answer";
  ev.tenant = in.who.tenant;
  ev.principal = in.who.name;
  ev.time_us = SystemClock::instance().nowMicros();
  Json retrieved = Json::array();
  for (const Passage& p : r.retrieved) {
    retrieved.push_back({{"doc_id", p.doc_id},
                         {"version", p.version},
                         {"chunk", p.chunk},
                         {"chunk_id", p.chunk_id},
                         {"rank", p.rank},
                         {"score", p.score},
                         {"title", p.title},
                         {"text_sha256", sha256Hex(p.text)}});
  }
  std::map<std::string, int> dropped_by_rule;
  for (const AnswerSentence& s : r.sentences) {
    for (const CheckedCitation& c : s.citations) {
      if (c.failed) ++dropped_by_rule[std::string(citationRuleName(*c.failed))];
    }
  }
  ev.attributes = {{"question", in.question},
                   {"question_sha256", sha256Hex(in.question)},
                   {"k", in.k},
                   {"mode", std::string(answerModeName(r.mode))},
                   {"retrieved", retrieved},
                   {"answer", r.answer},
                   {"sentences", sentencesJson(r)},
                   {"unsupported", unsupportedJson(r)},
                   {"citations_dropped", dropped_by_rule},
                   {"removed_links", removedLinksJson(r)},
                   {"citation_precision", ratio(r.citation_precision)},
                   {"citation_coverage", ratio(r.citation_coverage)},
                   {"took_ms", in.took_ms},
                   {"client_sha256", sha256Hex(dumpJson(r.toJson()))}};
  if (r.mode == AnswerMode::kModel) ev.attributes["model"] = r.model;
  if (in.template_use) {
    ev.attributes["template"] = {{"name", in.template_use->name},
                                 {"version", in.template_use->version},
                                 {"sha256", in.template_use->sha256}};
    if (in.template_use->override) ev.attributes["template"]["override"] = true;
  }
  if (!in.who.acting_agent.empty()) ev.attributes["agent"] = in.who.acting_agent;
  return ev;
}

}  // namespace ward::answer
