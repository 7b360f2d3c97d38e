// Data-driven search cases: every tests/cases/search/*.case file is one test.
//
// Format (one directive per line; '#' starts a comment line; blank lines are ignored):
//   group NAME [member-of G1,G2]          create a group, optionally nested in groups
//   user NAME [groups G1,G2] [admin]      create a user
//   doc ID [title="..."] [public] [users=a,b] [groups=a,b] [source=S] [updated=DATE]
//          [meta.KEY=VALUE]...            declare a document (no ACL = admins only);
//   text: ...                             its text (repeatable: lines are joined by '\n')
//   ingest                                commit declared documents (also implicit before a
//                                         query or any change)
//   join MEMBER GROUP / leave MEMBER GROUP   change a membership
//   acl ID public|none|users=a,b|groups=a,b  change a document ACL (store->setAcl + catchUp)
//   delete ID                             remove a document (IngestService::removeDocument)
//   filter source=S | meta.KEY=VALUE | updated_after=DATE | updated_before=DATE | k=N
//                                         applies to the next query only (repeatable)
//   query USER: TEXT                      run a search; followed by one or more of:
//   expect: ID ID ...                     documents in rank order (hits deduplicated by doc id)
//   expect-set: ID ID ...                 documents in any order
//   expect-count: N                       total_matches
//   expect-snippet: TEXT                  the first hit's snippet contains TEXT
//   expect-error                          the search fails (invalid query or unknown user)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "testutil/test_env.h"
#include "ward/common/clock.h"

namespace ward {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WardInstance;

std::vector<std::string> splitWords(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string w; std::getline(in, w, ',');) {
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Splits "a b=\"c d\" e" into ["a", "b=c d", "e"].
std::vector<std::string> splitArgs(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : s) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

class CaseRunner {
 public:
  explicit CaseRunner(std::string file) : file_(std::move(file)) {
    ward_ = WardInstance::open(dir_.path());
  }

  void run() {
    std::ifstream in(file_);
    ASSERT_TRUE(in) << "cannot open " << file_;
    std::string raw;
    int line_no = 0;
    while (std::getline(in, raw)) {
      ++line_no;
      line_ = line_no;
      std::string line = trim(raw);
      if (line.empty() || line[0] == '#') continue;
      SCOPED_TRACE(file_ + ":" + std::to_string(line_no) + ": " + line);
      directive(line);
      if (::testing::Test::HasFatalFailure()) return;
    }
    flush();
    EXPECT_GT(queries_, 0) << file_ << " has no query";
  }

 private:
  std::string where() const {
    return fs::path(file_).filename().string() + ":" + std::to_string(line_);
  }

  void directive(const std::string& line) {
    if (line.rfind("text:", 0) == 0) {
      ASSERT_FALSE(pending_.empty()) << "text: without a doc";
      std::string t = trim(line.substr(5));
      std::string& text = pending_.back()["text"].get_ref<std::string&>();
      text += text.empty() ? t : "\n" + t;
      return;
    }
    if (line.rfind("expect", 0) == 0) {
      expectation(line);
      return;
    }
    size_t sp = line.find(' ');
    std::string cmd = line.substr(0, sp);
    std::string rest = sp == std::string::npos ? "" : trim(line.substr(sp + 1));
    if (cmd == "doc") return declareDoc(rest);
    flush();
    if (::testing::Test::HasFatalFailure()) return;
    auto& s = *ward_->store;
    if (cmd == "group" || cmd == "user") {
      auto args = splitWords(rest);
      ASSERT_FALSE(args.empty());
      bool admin = std::find(args.begin(), args.end(), "admin") != args.end();
      auto made = s.createPrincipal(
          "default", args[0],
          cmd == "group" ? identity::PrincipalKind::kGroup : identity::PrincipalKind::kUser, admin);
      ASSERT_TRUE(made.ok()) << made.status().toString();
      for (size_t i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == "member-of" || args[i] == "groups") {
          for (const auto& g : splitComma(args[i + 1])) {
            Status st = s.addMembership("default", args[0], g);
            ASSERT_TRUE(st.ok()) << st.toString();
          }
        }
      }
    } else if (cmd == "join" || cmd == "leave") {
      auto args = splitWords(rest);
      ASSERT_EQ(args.size(), 2u) << "usage: " << cmd << " MEMBER GROUP";
      Status st = cmd == "join" ? s.addMembership("default", args[0], args[1])
                                : s.removeMembership("default", args[0], args[1]);
      ASSERT_TRUE(st.ok()) << st.toString();
    } else if (cmd == "acl") {
      auto args = splitWords(rest);
      ASSERT_GE(args.size(), 2u) << "usage: acl ID public|none|users=..|groups=..";
      store::Acl acl;
      for (size_t i = 1; i < args.size(); ++i) applyAclArg(args[i], acl);
      Status st = s.setAcl("default", args[0], acl);
      ASSERT_TRUE(st.ok()) << st.toString();
      ASSERT_TRUE(ward_->index->catchUp().ok());
    } else if (cmd == "delete") {
      Status st =
          ward_->ingest->removeDocument("default", rest, trace::TraceContext::generate(), "test");
      ASSERT_TRUE(st.ok()) << st.toString();
    } else if (cmd == "ingest") {
      // flushed above
    } else if (cmd == "filter") {
      for (const auto& a : splitArgs(rest)) applyFilter(a);
    } else if (cmd == "query") {
      runQuery(rest);
    } else {
      FAIL() << "unknown directive '" << cmd << "'";
    }
  }

  void applyAclArg(const std::string& a, store::Acl& acl) {
    if (a == "public")
      acl.is_public = true;
    else if (a == "none") {
    } else if (a.rfind("users=", 0) == 0)
      acl.users = splitComma(a.substr(6));
    else if (a.rfind("groups=", 0) == 0)
      acl.groups = splitComma(a.substr(7));
    else
      ADD_FAILURE() << "bad ACL argument '" << a << "'";
  }

  void declareDoc(const std::string& rest) {
    auto args = splitArgs(rest);
    ASSERT_FALSE(args.empty()) << "doc without id";
    Json rec{{"id", args[0]}, {"text", ""}};
    Json acl = Json::object();
    Json meta = Json::object();
    for (size_t i = 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      size_t eq = a.find('=');
      std::string key = a.substr(0, eq);
      std::string val = eq == std::string::npos ? "" : a.substr(eq + 1);
      if (a == "public")
        acl["public"] = true;
      else if (key == "users")
        acl["users"] = splitComma(val);
      else if (key == "groups")
        acl["groups"] = splitComma(val);
      else if (key == "title")
        rec["title"] = val;
      else if (key == "source")
        rec["source"] = val;
      else if (key == "updated")
        rec["updated_at"] = val;
      else if (key == "format")
        rec["format"] = val;
      else if (key.rfind("meta.", 0) == 0)
        meta[key.substr(5)] = val;
      else
        FAIL() << "bad doc argument '" << a << "'";
    }
    if (!acl.empty()) rec["acl"] = acl;
    if (!meta.empty()) rec["metadata"] = meta;
    pending_.push_back(rec);
  }

  void flush() {
    if (pending_.empty()) return;
    Json records = Json::array();
    for (auto& r : pending_) records.push_back(r);
    pending_.clear();
    auto rep = ward_->ingestRecords(records);
    ASSERT_TRUE(rep.ok()) << rep.status().toString();
    ASSERT_TRUE(rep->problems.empty());
  }

  void applyFilter(const std::string& a) {
    size_t eq = a.find('=');
    ASSERT_NE(eq, std::string::npos) << "filter needs KEY=VALUE: " << a;
    std::string key = a.substr(0, eq), val = a.substr(eq + 1);
    if (key == "source") {
      request_.filters.sources.push_back(val);
    } else if (key.rfind("meta.", 0) == 0) {
      request_.filters.metadata[key.substr(5)] = val;
    } else if (key == "updated_after" || key == "updated_before") {
      int64_t micros;
      ASSERT_TRUE(parseRfc3339(val, &micros)) << "bad date " << val;
      (key == "updated_after" ? request_.filters.updated_after : request_.filters.updated_before) =
          micros;
    } else if (key == "k") {
      request_.k = std::stoi(val);
    } else {
      FAIL() << "unknown filter '" << key << "'";
    }
  }

  void runQuery(const std::string& rest) {
    size_t colon = rest.find(':');
    ASSERT_NE(colon, std::string::npos) << "usage: query USER: TEXT";
    std::string user = trim(rest.substr(0, colon));
    request_.query = trim(rest.substr(colon + 1));
    query_text_ = user + ": " + request_.query;
    ++queries_;
    result_ = ward_->searchAs(user, request_);
    request_ = search::SearchRequest{};
  }

  void expectation(const std::string& line) {
    ASSERT_TRUE(result_.has_value()) << "expectation before any query";
    size_t colon = line.find(':');
    std::string kind = trim(line.substr(0, colon));
    std::string arg = colon == std::string::npos ? "" : trim(line.substr(colon + 1));
    const auto& r = *result_;
    std::string ctx = where() + " [" + query_text_ + "]";
    if (kind == "expect-error") {
      EXPECT_FALSE(r.ok()) << ctx << " expected an error";
      return;
    }
    ASSERT_TRUE(r.ok()) << ctx << ": " << r.status().toString();
    std::vector<std::string> got;
    for (const auto& h : r->hits) {
      if (std::find(got.begin(), got.end(), h.doc_id) == got.end()) got.push_back(h.doc_id);
    }
    if (kind == "expect") {
      EXPECT_EQ(got, splitWords(arg)) << ctx << " (ordered)";
    } else if (kind == "expect-set") {
      std::set<std::string> g(got.begin(), got.end());
      auto w = splitWords(arg);
      EXPECT_EQ(g, std::set<std::string>(w.begin(), w.end())) << ctx << " (any order)";
    } else if (kind == "expect-count") {
      EXPECT_EQ(r->total_matches, std::stoll(arg)) << ctx;
    } else if (kind == "expect-snippet") {
      ASSERT_FALSE(r->hits.empty()) << ctx;
      EXPECT_NE(r->hits[0].snippet.find(arg), std::string::npos)
          << ctx << " snippet: " << r->hits[0].snippet;
    } else {
      FAIL() << ctx << " unknown expectation '" << kind << "'";
    }
  }

  std::string file_;
  TempDir dir_;
  std::unique_ptr<WardInstance> ward_;
  std::vector<Json> pending_;
  search::SearchRequest request_;
  std::optional<Result<search::SearchResponse>> result_;
  std::string query_text_;
  int line_ = 0;
  int queries_ = 0;
};

std::vector<std::string> discoverCases() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(WARD_SEARCH_CASES_DIR, ec)) {
    if (e.path().extension() == ".case") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class SearchCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SearchCaseTest, Run) { CaseRunner(GetParam()).run(); }

INSTANTIATE_TEST_SUITE_P(Cases, SearchCaseTest, ::testing::ValuesIn(discoverCases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// A pasted paragraph is a query (docs/design/search.md, "Limits"): the default term limit is
// Lucene's 1024 clauses; a query of exactly that many terms is answered (and its snippet
// highlighted), one term more is refused with the limit named.
TEST(LongQueries, TheDefaultTermLimitIsAnsweredAndOneMoreIsRefused) {
  const SearchConfig defaults;
  ASSERT_GE(defaults.max_query_terms, 1024);
  TempDir dir;
  auto ward = WardInstance::open(dir.path());
  ASSERT_TRUE(
      ward->store->createPrincipal("default", "admin", identity::PrincipalKind::kUser, true).ok());
  Json docs = Json::array(
      {Json{{"id", "target"}, {"text", "Pangolins roll into a ball."}, {"acl", {{"public", true}}}},
       Json{{"id", "other"}, {"text", "Herons wade in ponds."}, {"acl", {{"public", true}}}}});
  ASSERT_TRUE(ward->ingestRecords(docs).ok());
  std::string query = "pangolins";
  for (int i = 1; i < defaults.max_query_terms; ++i) {  // words in no document, one term each
    query += " zq";
    query += static_cast<char>('a' + i / 676);
    query += static_cast<char>('a' + i / 26 % 26);
    query += static_cast<char>('a' + i % 26);
  }
  ASSERT_LE(query.size(), defaults.max_query_bytes);
  auto r = ward->searchAs("admin", query);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].doc_id, "target");
  EXPECT_NE(r->hits[0].snippet.find("«Pangolins»"), std::string::npos) << r->hits[0].snippet;
  auto over = ward->searchAs("admin", query + " zqextra");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find(std::to_string(defaults.max_query_terms)),
            std::string::npos)
      << over.status().message();
}

TEST(SearchCaseDiscovery, FindsCaseFiles) { EXPECT_GE(discoverCases().size(), 8u); }

}  // namespace
}  // namespace ward
