// Validators, rule-file parsing and its errors, and per-tenant overlays.
#include <gtest/gtest.h>

#include "redaction_engine.h"
#include "redaction_rules.h"
#include "redaction_validators.h"
#include "ward/audit/redaction.h"

namespace ward::audit {
namespace {

using internal::RedactionRuleSet;

TEST(RedactionValidators, Luhn) {
  EXPECT_TRUE(internal::isValidCardNumber("4111 1111 1111 1111"));
  EXPECT_TRUE(internal::isValidCardNumber("5500-0000-0000-0004"));
  EXPECT_TRUE(internal::isValidCardNumber("378282246310005"));       // Amex
  EXPECT_FALSE(internal::isValidCardNumber("4111 1111 1111 1112"));  // bad check digit
  EXPECT_FALSE(internal::isValidCardNumber("9999999999999995"));     // Luhn-valid, no network
  EXPECT_FALSE(internal::isValidCardNumber("4444444444444444"));     // one digit
  EXPECT_FALSE(internal::isValidCardNumber("411111111111"));         // 12 digits
}

TEST(RedactionValidators, Iban) {
  EXPECT_TRUE(internal::isValidIban("DE89 3704 0044 0532 0130 00"));
  EXPECT_TRUE(internal::isValidIban("GB82WEST12345698765432"));
  EXPECT_FALSE(internal::isValidIban("DE88 3704 0044 0532 0130 00"));  // check digits
  EXPECT_FALSE(internal::isValidIban("GB82WEST123456987654321"));      // length for GB
  EXPECT_FALSE(internal::isValidIban("XX89370400440532013000"));       // no such country
}

TEST(RedactionValidators, UsSsn) {
  EXPECT_TRUE(internal::isValidUsSsn("123-45-6789"));
  EXPECT_TRUE(internal::isValidUsSsn("123456789"));
  EXPECT_FALSE(internal::isValidUsSsn("000-45-6789"));
  EXPECT_FALSE(internal::isValidUsSsn("666-45-6789"));
  EXPECT_FALSE(internal::isValidUsSsn("901-45-6789"));
  EXPECT_FALSE(internal::isValidUsSsn("123-00-6789"));
  EXPECT_FALSE(internal::isValidUsSsn("123-45-0000"));
}

TEST(RedactionValidators, Jwt) {
  EXPECT_TRUE(internal::isValidJwt(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
      "XgL0n3I9PlFUP0THsR8U"));
  EXPECT_TRUE(internal::isValidJwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."));       // alg none
  EXPECT_FALSE(internal::isValidJwt("eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxIn0.abc"));  // no alg
  EXPECT_FALSE(internal::isValidJwt("abc.def.ghi"));
  EXPECT_FALSE(internal::isValidJwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"));  // two parts
}

TEST(RedactionValidators, EntropyAndClasses) {
  EXPECT_DOUBLE_EQ(internal::shannonEntropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(internal::shannonEntropy("abcd"), 2.0);
  EXPECT_EQ(internal::characterClasses("abc"), 1);
  EXPECT_EQ(internal::characterClasses("aB3!"), 4);
  EXPECT_TRUE(internal::isPlausiblePhone("+44 20 7946 0958"));
  EXPECT_FALSE(internal::isPlausiblePhone("555-1234"));
}

Status apply(const std::string& toml, RedactionRuleSet* set) {
  return internal::applyRuleFile("tenant.toml", toml, set);
}

std::string errorOf(const std::string& toml) {
  RedactionRuleSet set;
  EXPECT_TRUE(
      internal::applyRuleFile("default.toml", std::string(defaultRedactionRules()), &set).ok());
  Status s = apply(toml, &set);
  EXPECT_FALSE(s.ok()) << toml;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  return s.message();
}

TEST(RedactionRules, DefaultSetParses) {
  RedactionRuleSet set;
  Status s = internal::applyRuleFile("default", std::string(defaultRedactionRules()), &set);
  ASSERT_TRUE(s.ok()) << s.toString();
  EXPECT_GE(set.rules.size(), 20u);
  EXPECT_FALSE(set.secret_keys.empty());
}

// Each rule's pattern is compiled once, by the file's check; the engine keeps that RE2 (a second
// compile cost about a third of building the default rules), and a replaced rule brings its own.
TEST(RedactionRules, TheCheckedPatternIsTheOneTheEngineRuns) {
  RedactionRuleSet set;
  ASSERT_TRUE(internal::applyRuleFile("default", std::string(defaultRedactionRules()), &set).ok());
  const std::string replace = "version = 1\n[[rule]]\nid = \"" + set.rules[0].id +
                              "\"\ntype = \"t\"\npattern = 'zq[0-9]{4}'\n";
  ASSERT_TRUE(internal::applyRuleFile("tenant.toml", replace, &set).ok());
  ASSERT_NE(set.rules[0].compiled, nullptr);
  EXPECT_EQ(set.rules[0].compiled->pattern(), "zq[0-9]{4}");
  size_t enabled = 0;
  for (const auto& rule : set.rules) {
    ASSERT_NE(rule.compiled, nullptr) << rule.id;
    EXPECT_EQ(rule.compiled->pattern(), rule.pattern) << rule.id;
    EXPECT_EQ(rule.compiled.use_count(), 1) << rule.id;
    if (rule.enabled) ++enabled;
  }
  auto redactor = internal::RuleRedactor::create(set, "k", 1 << 20);
  ASSERT_TRUE(redactor.ok()) << redactor.status().toString();
  for (const auto& rule : set.rules) {
    // Shared with the engine when enabled, not compiled again.
    EXPECT_EQ(rule.compiled.use_count(), rule.enabled ? 2 : 1) << rule.id;
  }
  EXPECT_GT(enabled, 0u);
  std::string out = (*redactor)->redactText("code zq1234 here");
  EXPECT_EQ(out.find("zq1234"), std::string::npos) << out;
}

TEST(RedactionRules, ErrorsNameFileRuleAndProblem) {
  EXPECT_NE(errorOf("version = 1\n[[rule]]\nid = \"x\"\ntype = \"t\"\npattern = 'a(b'\n")
                .find("tenant.toml: rule 'x' (#1): invalid pattern"),
            std::string::npos);
  EXPECT_NE(errorOf("version = 1\n[[rule]]\nid = \"x\"\ntype = \"t\"\npatern = 'ab'\n")
                .find("rule 'x' (#1): unknown key 'patern'"),
            std::string::npos);
  EXPECT_NE(errorOf("version = 1\n[[rule]]\nid = \"x\"\ntype = \"t\"\npattern = 'a'\n"
                    "validator = \"crc\"\n")
                .find("unknown validator 'crc'"),
            std::string::npos);
  EXPECT_NE(errorOf("version = 1\n[[rule]]\nid = \"x\"\ntype = \"t\"\npattern = 'a'\ngroup = 1\n")
                .find("'group' is 1 but the pattern has 0"),
            std::string::npos);
  EXPECT_NE(errorOf("version = 1\n[[rule]]\nid = \"x\"\ntype = \"t\"\npattern = 'a*'\n")
                .find("matches the empty string"),
            std::string::npos);
  EXPECT_NE(errorOf("version = 1\n[[rule]]\nid = \"Bad Id\"\ntype = \"t\"\npattern = 'a'\n")
                .find("'id' must be"),
            std::string::npos);
  EXPECT_NE(errorOf("version = 1\n[[rule]]\nid = \"x\"\ntype = \"t\"\npattern = 'a'\n"
                    "[[rule]]\nid = \"x\"\ntype = \"t\"\npattern = 'b'\n")
                .find("rule 'x' (#2): duplicate id"),
            std::string::npos);
  EXPECT_NE(errorOf("version = 1\ndisable = [\"no_such_rule\"]\n").find("unknown rule"),
            std::string::npos);
  EXPECT_NE(errorOf("disable = []\n").find("missing 'version = 1'"), std::string::npos);
  EXPECT_NE(errorOf("version = 1\n[[rule]\n").find("tenant.toml: "), std::string::npos);
  EXPECT_NE(errorOf("version = 1\nsurprise = 2\n").find("unknown key 'surprise'"),
            std::string::npos);
}

TEST(RedactionRules, BadFileLeavesSetUnchanged) {
  RedactionRuleSet set;
  ASSERT_TRUE(
      apply("version = 1\n[[rule]]\nid = \"a\"\ntype = \"t\"\npattern = 'aaa'\n", &set).ok());
  EXPECT_FALSE(apply("version = 1\ndisable = [\"a\"]\n[[rule]]\nid = \"b\"\ntype = \"t\"\n"
                     "pattern = '('\n",
                     &set)
                   .ok());
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_TRUE(set.rules[0].enabled);
}

TEST(RedactionRules, TenantOverlayDisablesReplacesAndAdds) {
  RedactorOptions options;
  options.key = std::string(32, 'k');
  options.overlays.push_back({"tenant.toml", R"(version = 1
disable = ["email"]
secret_keys = ["X-Internal-Signature"]

[[rule]]
id = "employee_id"
type = "employee_id"
pattern = '\b(EMP-\d{6})\b'
group = 1

[[rule]]
id = "aws_access_key_id"
type = "cloud_key"
pattern = '\b(AKIA[A-Z0-9]{16})\b'
group = 1
)"});
  auto r = loadRedactor(options);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  std::string out =
      (*r)->redactText("EMP-123456 mailed jane@example.com with AKIAABCDEFGHIJKLMNOP");
  EXPECT_EQ(out.find("EMP-123456"), std::string::npos) << out;
  EXPECT_NE(out.find("[REDACTED:employee_id:"), std::string::npos) << out;
  EXPECT_NE(out.find("jane@example.com"), std::string::npos) << out;      // email disabled
  EXPECT_NE(out.find("[REDACTED:cloud_key:"), std::string::npos) << out;  // replaced rule

  Json doc = {{"x_internal_signature", "abc"}, {"note", "hi"}};
  (*r)->redactJson(doc);
  EXPECT_EQ(doc["note"], "hi");
  EXPECT_EQ(doc["x_internal_signature"].get<std::string>().rfind("[REDACTED:secret_field:", 0), 0u);
}

TEST(RedactionRules, DisabledByEnabledFalse) {
  RedactorOptions options;
  options.key = std::string(32, 'k');
  options.include_default_rules = false;
  options.overlays.push_back(
      {"t.toml",
       "version = 1\n[[rule]]\nid = \"x\"\ntype = \"x\"\npattern = 'zzz'\nenabled = false\n"});
  auto r = loadRedactor(options);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ((*r)->redactText("zzz jane@example.com"), "zzz jane@example.com");
}

}  // namespace
}  // namespace ward::audit
