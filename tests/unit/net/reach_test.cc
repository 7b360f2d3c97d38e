// The outbound address rule (net::reachable over net::classifyAddressText), from the case table
// tests/cases/net/reach.tsv, and the pinning entry of net::pinEntry.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ward/net/address_policy.h"
#include "ward/net/http_client.h"

namespace ward::net {
namespace {

struct ReachCase {
  int line = 0;
  std::string address;
  Reach reach = Reach::kPublic;
  bool allow_loopback = false;
  bool expected = false;
};

std::vector<ReachCase> loadCases() {
  std::ifstream in(WARD_NET_CASES_DIR "/reach.tsv");
  EXPECT_TRUE(in.good()) << "cannot read " << WARD_NET_CASES_DIR "/reach.tsv";
  std::vector<ReachCase> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string address, reach, loopback, expected;
    std::getline(fields, address, '\t');
    std::getline(fields, reach, '\t');
    std::getline(fields, loopback, '\t');
    std::getline(fields, expected, '\t');
    ReachCase c;
    c.line = n;
    c.address = address;
    EXPECT_TRUE(reach == "public" || reach == "operator" || reach == "any") << "line " << n;
    c.reach = reach == "operator" ? Reach::kOperatorEndpoint
              : reach == "any"    ? Reach::kAnyValid
                                  : Reach::kPublic;
    c.allow_loopback = loopback == "yes";
    EXPECT_TRUE(expected == "yes" || expected == "no") << "line " << n;
    c.expected = expected == "yes";
    cases.push_back(c);
  }
  return cases;
}

TEST(NetReach, CaseTable) {
  const std::vector<ReachCase> cases = loadCases();
  ASSERT_GE(cases.size(), 30u);
  for (const ReachCase& c : cases) {
    const std::string cls = classifyAddressText(c.address);
    EXPECT_EQ(reachable(cls, c.reach, c.allow_loopback), c.expected)
        << "reach.tsv line " << c.line << ": " << c.address << " (" << cls << ")";
  }
}

TEST(NetReach, PinEntryPinsNamesNotLiterals) {
  EXPECT_EQ(pinEntry("::1", "8080", "::1"), "");
  EXPECT_EQ(pinEntry("10.0.0.1", "80", "10.0.0.1"), "");
  EXPECT_EQ(pinEntry("collector.internal", "4318", "fd00::7"), "collector.internal:4318:[fd00::7]");
  EXPECT_EQ(pinEntry("api.example.com", "443", "93.184.216.34"),
            "api.example.com:443:93.184.216.34");
}

TEST(NetReach, ParseOriginDefaultsThePort) {
  auto o = parseOrigin("https://[2001:db8::1]/v1/traces");
  ASSERT_TRUE(o.ok()) << o.status().toString();
  EXPECT_EQ(o->host, "2001:db8::1");
  EXPECT_EQ(o->text(), "https://2001:db8::1:443");
  EXPECT_EQ(parseOrigin("ftp://example.com/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parseOrigin("not a url").status().code(), StatusCode::kInvalidArgument);
}

TEST(NetReach, ParseOriginSaysWhetherTheUrlCarriesCredentialsOrAQuery) {
  auto plain = parseOrigin("http://collector:4318/v1");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->has_credentials);
  EXPECT_FALSE(plain->has_query);
  auto user = parseOrigin("http://user:pw@collector:4318/");
  ASSERT_TRUE(user.ok());
  EXPECT_TRUE(user->has_credentials);
  auto query = parseOrigin("https://collector/?token=x");
  ASSERT_TRUE(query.ok());
  EXPECT_TRUE(query->has_query);
}

// A refused address is refused before any connection: SendInfo.sent stays false.
TEST(NetReach, SendRefusesBeforeConnecting) {
  OutboundRequest r;
  r.url = "http://169.254.169.254/latest/meta-data/";
  r.reach = Reach::kOperatorEndpoint;
  r.allow_loopback = true;
  r.refusal_hint = "never reachable";
  SendInfo info;
  auto reply = send(r, nullptr, &info);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(reply.status().message().find("never reachable"), std::string::npos);
  EXPECT_FALSE(info.sent);
  EXPECT_FALSE(info.reached);
}

}  // namespace
}  // namespace ward::net
