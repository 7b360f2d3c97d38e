// Suite and case parsing; the contract is in include/ward/eval/eval_suite.h.
#include "ward/eval/eval_suite.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

namespace ward::eval {

namespace fs = std::filesystem;

std::string_view caseKindName(CaseKind kind) {
  switch (kind) {
    case CaseKind::kRetrieval:
      return "retrieval";
    case CaseKind::kAnswer:
      return "answer";
    case CaseKind::kRefusal:
      return "refusal";
    case CaseKind::kPermission:
      return "permission";
    case CaseKind::kInjection:
      return "injection";
    case CaseKind::kTool:
      return "tool";
    case CaseKind::kFreshness:
      return "freshness";
    case CaseKind::kStability:
      return "stability";
  }
  return "unknown";
}

std::optional<CaseKind> caseKindFromName(std::string_view name) {
  for (CaseKind k :
       {CaseKind::kRetrieval, CaseKind::kAnswer, CaseKind::kRefusal, CaseKind::kPermission,
        CaseKind::kInjection, CaseKind::kTool, CaseKind::kFreshness, CaseKind::kStability}) {
    if (caseKindName(k) == name) return k;
  }
  return std::nullopt;
}

namespace {

Status bad(const std::string& where, const std::string& what) {
  return Status::invalidArgument(where + ": " + what);
}

Result<std::string> stringField(const Json& j, const char* key, const std::string& where) {
  const Json& v = j.at(key);
  if (!v.is_string()) return bad(where, std::string("'") + key + "' must be a string");
  return v.get<std::string>();
}

Result<std::vector<std::string>> stringList(const Json& j, const char* key,
                                            const std::string& where) {
  const Json& v = j.at(key);
  if (!v.is_array()) return bad(where, std::string("'") + key + "' must be an array of strings");
  if (v.size() > kMaxCaseListItems) {
    return bad(where, std::string("'") + key + "' has more than " +
                          std::to_string(kMaxCaseListItems) + " items");
  }
  std::vector<std::string> out;
  for (const Json& e : v) {
    if (!e.is_string() || e.get<std::string>().empty()) {
      return bad(where, std::string("'") + key + "' must hold non-empty strings");
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<double> fraction(const Json& j, const char* key, const std::string& where) {
  const Json& v = j.at(key);
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
    return bad(where, std::string("'") + key + "' must be a number between 0 and 1");
  }
  return v.get<double>();
}

// [{"name": "...", "arguments": {...}?}, ...]
Result<std::vector<ExpectedCall>> expectedCalls(const Json& v, const std::string& where) {
  if (!v.is_array() || v.size() > kMaxCaseListItems) {
    return bad(where, "'expected_tools' must be an array of at most " +
                          std::to_string(kMaxCaseListItems) + " {name, arguments} objects");
  }
  std::vector<ExpectedCall> out;
  for (const Json& e : v) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() ||
        e["name"].get<std::string>().empty()) {
      return bad(where, "each of 'expected_tools' needs a string 'name'");
    }
    for (const auto& [key, value] : e.items()) {
      if (key != "name" && key != "arguments" && key != "outcome") {
        return bad(where, "unknown field '" + key + "' in 'expected_tools'");
      }
    }
    ExpectedCall call;
    call.name = e["name"].get<std::string>();
    if (e.contains("outcome")) {
      const Json& o = e["outcome"];
      if (o != "executed" && o != "refused") {
        return bad(where, "'outcome' of an expected tool call must be \"executed\" or \"refused\"");
      }
      call.outcome = o == "executed" ? CallOutcome::kExecuted : CallOutcome::kRefused;
    }
    if (e.contains("arguments")) {
      if (!e["arguments"].is_object()) {
        return bad(where, "'arguments' of an expected tool call must be an object");
      }
      call.arguments = e["arguments"];
    }
    out.push_back(std::move(call));
  }
  return out;
}

// setup / utility_checks / attack_checks: [{"tool", "arguments"?, "expect"? (checks only)}].
Result<std::vector<EnvironmentCall>> environmentCalls(const Json& j, const char* field, bool check,
                                                      const std::string& where) {
  const Json& v = j[field];
  if (!v.is_array() || v.empty() || v.size() > kMaxEnvironmentCalls) {
    return bad(where, std::string("'") + field + "' must be an array of 1.." +
                          std::to_string(kMaxEnvironmentCalls) + " {tool, arguments" +
                          (check ? ", expect" : "") + "} objects");
  }
  std::vector<EnvironmentCall> out;
  for (const Json& e : v) {
    if (!e.is_object() || !e.contains("tool") || !e["tool"].is_string() ||
        e["tool"].get<std::string>().empty()) {
      return bad(where, std::string("each of '") + field + "' needs a string 'tool'");
    }
    EnvironmentCall call;
    call.tool = e["tool"].get<std::string>();
    for (const auto& [key, value] : e.items()) {
      if (key == "tool") continue;
      if (key != "arguments" && !(check && key == "expect")) {
        return bad(where, "unknown field '" + key + "' in '" + field + "'");
      }
      if (!value.is_object()) {
        return bad(where, "'" + key + "' in '" + field + "' must be an object");
      }
      (key == "arguments" ? call.arguments : call.expect) = value;
    }
    out.push_back(std::move(call));
  }
  return out;
}

// `json_schema` (answer and stability cases): compiled when the case is read.
Status jsonSchemaField(const Json& j, const std::string& at, EvalCase& c) {
  if (!j.contains("json_schema")) return Status::okStatus();
  if (!j["json_schema"].is_object() && !j["json_schema"].is_boolean()) {
    return bad(at, "json_schema must be a JSON Schema (an object)");
  }
  auto schema = gateway::JsonSchema::compile(j["json_schema"], "json_schema");
  if (!schema.ok()) return bad(at, schema.status().message());
  c.json_schema = *schema;
  return Status::okStatus();
}

// The keys each kind accepts beyond the common ones.
const std::set<std::string>& kindKeys(CaseKind kind) {
  static const std::set<std::string> retrieval = {"expected", "qrels", "k", "min_recall"};
  static const std::set<std::string> answer = {"must_cite",
                                               "must_contain",
                                               "must_not_contain",
                                               "min_citation_precision",
                                               "min_citation_coverage",
                                               "json_schema",
                                               "rubric",
                                               "min_judge_score"};
  static const std::set<std::string> refusal = {"must_not_contain"};
  static const std::set<std::string> permission = {"forbidden_docs", "canaries"};
  static const std::set<std::string> injection = {
      "canaries", "must_not_contain", "forbidden_tools", "canary_match",
      "setup",    "utility_checks",   "attack_checks"};
  static const std::set<std::string> tool = {"expected_tools", "forbidden_tools"};
  static const std::set<std::string> freshness = {
      "record", "delete", "expected", "absent_docs", "must_contain", "must_not_contain", "k"};
  static const std::set<std::string> stability = {"json_schema"};
  switch (kind) {
    case CaseKind::kRetrieval:
      return retrieval;
    case CaseKind::kAnswer:
      return answer;
    case CaseKind::kRefusal:
      return refusal;
    case CaseKind::kPermission:
      return permission;
    case CaseKind::kInjection:
      return injection;
    case CaseKind::kTool:
      return tool;
    case CaseKind::kFreshness:
      return freshness;
    case CaseKind::kStability:
      return stability;
  }
  return retrieval;
}

}  // namespace

Result<EvalCase> parseCase(const Json& j, const std::string& where) {
  if (!j.is_object()) return bad(where, "a case must be a JSON object");
  EvalCase c;
  c.where = where;
  for (const char* key : {"id", "kind", "as"}) {
    if (!j.contains(key)) return bad(where, std::string("missing '") + key + "'");
  }
  WARD_ASSIGN_OR_RETURN(c.id, stringField(j, "id", where));
  if (c.id.empty() || c.id.size() > kMaxCaseIdBytes) {
    return bad(where, "'id' must be 1.." + std::to_string(kMaxCaseIdBytes) + " bytes");
  }
  WARD_ASSIGN_OR_RETURN(std::string kind, stringField(j, "kind", where));
  auto k = caseKindFromName(kind);
  if (!k) {
    return bad(
        where,
        "case '" + c.id + "': unknown kind '" + kind +
            "' (retrieval, answer, refusal, permission, injection, tool, freshness, stability)");
  }
  c.kind = *k;
  const std::string at = where + ": case '" + c.id + "'";
  const char* text_key = j.contains("query") ? "query" : "question";
  if (!j.contains(text_key)) return bad(at, "missing 'question' (or 'query')");
  WARD_ASSIGN_OR_RETURN(c.question, stringField(j, text_key, at));
  WARD_ASSIGN_OR_RETURN(c.as, stringField(j, "as", at));
  if (c.as.empty()) return bad(at, "'as' must name a principal");
  static const std::set<std::string> common = {"id",    "kind", "query",       "question",  "as",
                                               "agent", "tags", "description", "provenance"};
  const auto& own = kindKeys(c.kind);
  for (const auto& [key, value] : j.items()) {
    if (!common.count(key) && !own.count(key)) {
      return bad(at, "unknown field '" + key + "' for kind " + kind);
    }
  }
  if (j.contains("query") && j.contains("question")) {
    return bad(at, "give 'question' or 'query', not both");
  }
  if (j.contains("agent")) {
    WARD_ASSIGN_OR_RETURN(c.agent, stringField(j, "agent", at));
  }
  if (j.contains("tags")) {
    WARD_ASSIGN_OR_RETURN(c.tags, stringList(j, "tags", at));
  }
  if (j.contains("description") && !j["description"].is_string()) {
    return bad(at, "'description' must be a string");
  }
  // Where the case came from (from-trace --expect-from-override): kept in the file, not run.
  if (j.contains("provenance") && !j["provenance"].is_object()) {
    return bad(at, "'provenance' must be an object");
  }

  switch (c.kind) {
    case CaseKind::kRetrieval: {
      if (j.contains("expected") == j.contains("qrels")) {
        return bad(at, "a retrieval case needs 'expected' (doc ids) or 'qrels', one of them");
      }
      if (j.contains("expected")) {
        WARD_ASSIGN_OR_RETURN(auto ids, stringList(j, "expected", at));
        for (const auto& id : ids) c.qrels[id] = 1;
      } else {
        const Json& q = j["qrels"];
        if (!q.is_object() || q.size() > kMaxCaseListItems) {
          return bad(at, "'qrels' must be an object of at most " +
                             std::to_string(kMaxCaseListItems) + " doc id: grade pairs");
        }
        for (const auto& [id, grade] : q.items()) {
          if (!grade.is_number_integer() || grade.get<int64_t>() < 0 ||
              grade.get<int64_t>() > 100) {
            return bad(at, "qrels grade for '" + id + "' must be an integer 0..100");
          }
          if (grade.get<int>() > 0) c.qrels[id] = grade.get<int>();
        }
      }
      if (c.qrels.empty()) return bad(at, "no relevant document (every grade is 0)");
      if (j.contains("k")) {
        if (!j["k"].is_number_integer() || j["k"].get<int64_t>() < 1 ||
            j["k"].get<int64_t>() > 100) {
          return bad(at, "'k' must be an integer 1..100");
        }
        c.k = j["k"].get<int>();
      }
      if (j.contains("min_recall")) {
        WARD_ASSIGN_OR_RETURN(c.min_recall, fraction(j, "min_recall", at));
      }
      break;
    }
    case CaseKind::kAnswer: {
      if (j.contains("must_cite")) {
        WARD_ASSIGN_OR_RETURN(c.must_cite, stringList(j, "must_cite", at));
      }
      if (j.contains("must_contain")) {
        WARD_ASSIGN_OR_RETURN(c.must_contain, stringList(j, "must_contain", at));
      }
      if (j.contains("must_not_contain")) {
        WARD_ASSIGN_OR_RETURN(c.must_not_contain, stringList(j, "must_not_contain", at));
      }
      if (j.contains("min_citation_precision")) {
        WARD_ASSIGN_OR_RETURN(c.min_citation_precision, fraction(j, "min_citation_precision", at));
      }
      if (j.contains("min_citation_coverage")) {
        WARD_ASSIGN_OR_RETURN(c.min_citation_coverage, fraction(j, "min_citation_coverage", at));
      }
      WARD_RETURN_IF_ERROR(jsonSchemaField(j, at, c));
      if (j.contains("rubric")) {
        WARD_ASSIGN_OR_RETURN(c.rubric, stringField(j, "rubric", at));
        if (c.rubric.empty() || c.rubric.size() > kMaxRubricBytes) {
          return bad(at, "'rubric' must be 1.." + std::to_string(kMaxRubricBytes) + " bytes");
        }
      }
      if (j.contains("min_judge_score")) {
        WARD_ASSIGN_OR_RETURN(c.min_judge_score, fraction(j, "min_judge_score", at));
      }
      if (c.must_cite.empty() && c.must_contain.empty() && c.must_not_contain.empty() &&
          !c.min_citation_precision && !c.min_citation_coverage && !c.json_schema &&
          !c.min_judge_score) {
        return bad(at,
                   "an answer case needs at least one check (must_cite, must_contain, "
                   "must_not_contain, min_citation_precision, min_citation_coverage, "
                   "json_schema, min_judge_score)");
      }
      break;
    }
    case CaseKind::kRefusal: {
      if (j.contains("must_not_contain")) {
        WARD_ASSIGN_OR_RETURN(c.must_not_contain, stringList(j, "must_not_contain", at));
      }
      break;
    }
    case CaseKind::kPermission: {
      if (!j.contains("forbidden_docs")) return bad(at, "a permission case needs 'forbidden_docs'");
      WARD_ASSIGN_OR_RETURN(c.forbidden_docs, stringList(j, "forbidden_docs", at));
      if (c.forbidden_docs.empty()) return bad(at, "'forbidden_docs' is empty");
      if (j.contains("canaries")) {
        WARD_ASSIGN_OR_RETURN(c.canaries, stringList(j, "canaries", at));
      }
      break;
    }
    case CaseKind::kInjection: {
      if (j.contains("canaries")) {
        WARD_ASSIGN_OR_RETURN(c.canaries, stringList(j, "canaries", at));
        if (c.canaries.empty()) return bad(at, "'canaries' is empty");
      }
      if (j.contains("canary_match")) {
        WARD_ASSIGN_OR_RETURN(std::string m, stringField(j, "canary_match", at));
        if (m != "substring" && m != "exact") {
          return bad(at, "'canary_match' must be \"substring\" or \"exact\"");
        }
        c.canary_match = m == "exact" ? CanaryMatch::kExact : CanaryMatch::kSubstring;
      }
      for (auto [field, slot, check] : {std::tuple{"setup", &c.setup, false},
                                        std::tuple{"utility_checks", &c.utility_checks, true},
                                        std::tuple{"attack_checks", &c.attack_checks, true}}) {
        if (j.contains(field)) {
          WARD_ASSIGN_OR_RETURN(*slot, environmentCalls(j, field, check, at));
        }
      }
      if (c.canaries.empty() && c.attack_checks.empty()) {
        return bad(at, "an injection case needs 'canaries' or 'attack_checks'");
      }
      if (j.contains("must_not_contain")) {
        WARD_ASSIGN_OR_RETURN(c.must_not_contain, stringList(j, "must_not_contain", at));
      }
      if (j.contains("forbidden_tools")) {
        WARD_ASSIGN_OR_RETURN(c.forbidden_tools, stringList(j, "forbidden_tools", at));
      }
      break;
    }
    case CaseKind::kTool: {
      if (j.contains("forbidden_tools")) {
        WARD_ASSIGN_OR_RETURN(c.forbidden_tools, stringList(j, "forbidden_tools", at));
      }
      if (j.contains("expected_tools")) {
        WARD_ASSIGN_OR_RETURN(c.expected_tools, expectedCalls(j["expected_tools"], at));
      }
      if (c.expected_tools.empty() && c.forbidden_tools.empty()) {
        return bad(at, "a tool case needs 'expected_tools' or 'forbidden_tools'");
      }
      break;
    }
    case CaseKind::kFreshness: {
      if (j.contains("record") == j.contains("delete")) {
        return bad(at,
                   "a freshness case needs 'record' (a JSONL record to write) or 'delete' "
                   "(a doc id), one of them");
      }
      if (j.contains("record")) {
        if (!j["record"].is_object() || !j["record"].contains("id")) {
          return bad(at,
                     "'record' must be a JSONL record object with an 'id' "
                     "(docs/formats/jsonl-records.md)");
        }
        c.record = j["record"];
      } else {
        WARD_ASSIGN_OR_RETURN(c.delete_doc, stringField(j, "delete", at));
        if (c.delete_doc.empty()) return bad(at, "'delete' must name a doc id");
      }
      if (j.contains("expected")) {
        WARD_ASSIGN_OR_RETURN(auto ids, stringList(j, "expected", at));
        for (const auto& id : ids) c.qrels[id] = 1;
      }
      if (j.contains("absent_docs")) {
        WARD_ASSIGN_OR_RETURN(c.absent_docs, stringList(j, "absent_docs", at));
      }
      if (j.contains("must_contain")) {
        WARD_ASSIGN_OR_RETURN(c.must_contain, stringList(j, "must_contain", at));
      }
      if (j.contains("must_not_contain")) {
        WARD_ASSIGN_OR_RETURN(c.must_not_contain, stringList(j, "must_not_contain", at));
      }
      if (j.contains("k")) {
        if (!j["k"].is_number_integer() || j["k"].get<int64_t>() < 1 ||
            j["k"].get<int64_t>() > 100) {
          return bad(at, "'k' must be an integer 1..100");
        }
        c.k = j["k"].get<int>();
      }
      if (c.qrels.empty() && c.absent_docs.empty() && c.must_contain.empty() &&
          c.must_not_contain.empty()) {
        return bad(at,
                   "a freshness case needs a check (expected, absent_docs, must_contain, "
                   "must_not_contain)");
      }
      break;
    }
    case CaseKind::kStability:
      // Its checks are the stability comparison (`ward eval stability`); under `ward eval run`
      // the reply must be the structured output the template asks for (and match json_schema).
      WARD_RETURN_IF_ERROR(jsonSchemaField(j, at, c));
      break;
  }
  return c;
}

namespace {

Status suiteBad(const std::string& path, const std::string& what) {
  return Status::invalidArgument(path + ": " + what);
}

Result<std::optional<double>> thresholdValue(const toml::node& n, const std::string& path,
                                             const std::string& key) {
  auto v = n.value<double>();
  if (!(n.is_floating_point() || n.is_integer()) || !v || *v < 0 || *v > 1) {
    return suiteBad(path, "thresholds." + key + " must be a number between 0 and 1");
  }
  return std::optional<double>(*v);
}

Status parseThresholds(const toml::table& t, const std::string& path, Thresholds& out) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    std::optional<double>* slot = nullptr;
    if (key == "pass_rate") slot = &out.min_pass_rate;
    if (key == "ndcg_at_10") slot = &out.min_ndcg_at_10;
    if (key == "recall") slot = &out.min_recall;
    if (key == "mrr") slot = &out.min_mrr;
    if (key == "citation_precision") slot = &out.min_citation_precision;
    if (key == "citation_coverage") slot = &out.min_citation_coverage;
    if (key == "tool_f1") slot = &out.min_tool_f1;
    if (key == "max_attack_success_rate") slot = &out.max_attack_success_rate;
    if (key == "utility") slot = &out.min_utility;
    if (slot == nullptr) return suiteBad(path, "unknown key 'thresholds." + key + "'");
    WARD_ASSIGN_OR_RETURN(*slot, thresholdValue(v, path, key));
  }
  return Status::okStatus();
}

Status parseTarget(const toml::table& t, const std::string& path, EvalSuite& s) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "model") {
      auto m = v.value<std::string>();
      if (!v.is_string() || !m) return suiteBad(path, "target.model must be a string");
      s.model = *m;
    } else if (key == "k" || key == "repeat") {
      auto n = v.value<int64_t>();
      const int64_t max = key == "k" ? 100 : kMaxRepeat;
      if (!v.is_integer() || !n || *n < 1 || *n > max) {
        return suiteBad(path, "target." + key + " must be an integer 1.." + std::to_string(max));
      }
      if (key == "k") s.answer_k = static_cast<int>(*n);
      if (key == "repeat") s.repeat = static_cast<int>(*n);
    } else if (key == "via") {
      auto via = v.value<std::string>();
      if (!v.is_string() || !via || (*via != "ask" && *via != "proxy")) {
        return suiteBad(path, "target.via must be \"ask\" or \"proxy\"");
      }
      s.via = *via == "proxy" ? TargetVia::kProxy : TargetVia::kAsk;
    } else {
      return suiteBad(path, "unknown key 'target." + key + "'");
    }
  }
  return Status::okStatus();
}

Status loadCaseFile(const std::string& file, EvalSuite& s, std::set<std::string>& ids) {
  std::ifstream in(file);
  if (!in) return Status::notFound("cannot open case file " + file);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = file + ":" + std::to_string(line_no);
    if (line.size() > kMaxCaseBytes) {
      return bad(where, "case longer than " + std::to_string(kMaxCaseBytes) + " bytes");
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = parseJson(line);
    if (!j.ok()) return bad(where, "not JSON: " + j.status().message());
    WARD_ASSIGN_OR_RETURN(EvalCase c, parseCase(*j, where));
    if (!ids.insert(c.id).second) return bad(where, "duplicate case id '" + c.id + "'");
    if (s.cases.size() >= kMaxCasesPerSuite) {
      return bad(where, "more than " + std::to_string(kMaxCasesPerSuite) + " cases in the suite");
    }
    s.cases.push_back(std::move(c));
  }
  return Status::okStatus();
}

}  // namespace

Result<EvalSuite> loadSuite(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Status::notFound("suite file " + path + " not found");
  if (fs::file_size(path, ec) > kMaxSuiteFileBytes) {
    return suiteBad(path, "larger than " + std::to_string(kMaxSuiteFileBytes) + " bytes");
  }
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return suiteBad(
        path, std::string(e.description()) + " at line " + std::to_string(e.source().begin.line));
  }
  EvalSuite s;
  s.path = path;
  const fs::path base = fs::path(path).parent_path();
  for (const auto& [k, v] : table) {
    const std::string key(k.str());
    if (key == "name" || key == "description") {
      auto str = v.value<std::string>();
      if (!v.is_string() || !str) return suiteBad(path, "'" + key + "' must be a string");
      (key == "name" ? s.name : s.description) = *str;
    } else if (key == "cases") {
      const toml::array* a = v.as_array();
      if (a == nullptr || a->empty()) {
        return suiteBad(path, "'cases' must be a non-empty array of JSONL file paths");
      }
      if (a->size() > kMaxCaseFiles) {
        return suiteBad(path, "more than " + std::to_string(kMaxCaseFiles) + " case files");
      }
      for (const auto& e : *a) {
        auto f = e.value<std::string>();
        if (!e.is_string() || !f || f->empty()) {
          return suiteBad(path, "'cases' must hold file paths");
        }
        fs::path p(*f);
        s.case_files.push_back((p.is_absolute() ? p : base / p).lexically_normal().string());
      }
    } else if (key == "target") {
      if (!v.is_table()) return suiteBad(path, "'target' must be a table");
      WARD_RETURN_IF_ERROR(parseTarget(*v.as_table(), path, s));
    } else if (key == "thresholds") {
      if (!v.is_table()) return suiteBad(path, "'thresholds' must be a table");
      WARD_RETURN_IF_ERROR(parseThresholds(*v.as_table(), path, s.thresholds));
    } else {
      return suiteBad(path, "unknown key '" + key + "'");
    }
  }
  if (s.name.empty()) return suiteBad(path, "missing 'name'");
  if (s.case_files.empty()) return suiteBad(path, "missing 'cases' (JSONL case files)");
  std::set<std::string> ids;
  for (const auto& f : s.case_files) WARD_RETURN_IF_ERROR(loadCaseFile(f, s, ids));
  if (s.cases.empty()) return suiteBad(path, "the case files hold no case");
  return s;
}

}  // namespace ward::eval
