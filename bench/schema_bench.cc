// JSON Schema validation cost (docs/design/gateway.md "JSON Schema validator"):
//   1. a typical tool call (10 properties, a nested object, an enum, a pattern): p50/p99 of
//      Ward's JsonSchema::validate, and of Debian's valijson 1.0 (draft-7 parser, strong types,
//      its own std::regex) on the same schema and arguments in the same run;
//   2. the linear-time curve: one argument of 1 KiB .. 1 MiB against a pattern-heavy schema.
// Usage: schema_bench [ITERATIONS]   (default 20000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "percentile.h"
#include "ward/common/json.h"
#include "ward/gateway/json_schema.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* kToolSchema = R"J({
  "type": "object",
  "additionalProperties": false,
  "required": ["customer_id", "amount", "currency", "reason"],
  "properties": {
    "customer_id": {"type": "string", "pattern": "^cus_[A-Za-z0-9]{8,24}$"},
    "amount": {"type": "integer", "minimum": 1, "maximum": 100000},
    "currency": {"type": "string", "enum": ["EUR", "USD", "GBP", "CHF", "JPY"]},
    "reason": {"type": "string", "minLength": 3, "maxLength": 500},
    "notify": {"type": "boolean"},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 32}, "maxItems": 10,
             "uniqueItems": true},
    "priority": {"type": "string", "enum": ["low", "normal", "high"]},
    "reference": {"type": ["string", "null"], "maxLength": 64},
    "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    "shipping": {
      "type": "object",
      "required": ["street", "city", "country"],
      "additionalProperties": false,
      "properties": {
        "street": {"type": "string", "maxLength": 200},
        "city": {"type": "string", "maxLength": 100},
        "postcode": {"type": "string", "pattern": "^[A-Z0-9 -]{3,10}$"},
        "country": {"type": "string", "minLength": 2, "maxLength": 2}
      }
    }
  }
})J";

const char* kToolArgs = R"J({
  "customer_id": "cus_4f9Kd82LmQ", "amount": 2599, "currency": "EUR",
  "reason": "duplicate charge on the March invoice", "notify": true,
  "tags": ["billing", "refund", "q1"], "priority": "high", "reference": null, "ratio": 0.25,
  "shipping": {"street": "12 Rue de la Paix", "city": "Paris", "postcode": "75002",
               "country": "FR"}
})J";

const char* kPatternSchema = R"J({
  "type": "object",
  "properties": {
    "text": {"type": "string", "pattern": "^[\\p{L}\\p{N}\\s.,;:!?'()-]*$"},
    "lines": {"type": "array", "items": {"type": "string", "pattern": "^[a-z0-9 ]+$",
                                         "maxLength": 80}}
  },
  "patternProperties": {"^x-[a-z]+$": {"type": "string", "pattern": "(a|b|c)+z?$"}}
})J";

double usSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

void typicalCall(int iterations) {
  const ward::Json schema = ward::parseJson(kToolSchema).value();
  const ward::Json args = ward::parseJson(kToolArgs).value();
  auto ward_schema = ward::gateway::JsonSchema::compile(schema, "input_schema");
  if (!ward_schema.ok() || !(*ward_schema)->validate(args, "args").ok()) {
    std::fprintf(stderr, "ward: the typical call does not validate\n");
    std::exit(1);
  }
  valijson::Schema vj_schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema);
  parser.populateSchema(schema_adapter, vj_schema);

  std::vector<double> ward_us, vj_us;
  ward_us.reserve(iterations);
  vj_us.reserve(iterations);
  bool all_ok = true;
  for (int i = 0; i < iterations; ++i) {  // interleaved, so both see the same machine load
    auto t0 = Clock::now();
    all_ok = (*ward_schema)->validate(args, "args").ok() && all_ok;
    ward_us.push_back(usSince(t0));
    t0 = Clock::now();
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(args);
    all_ok = validator.validate(vj_schema, target, &results) && all_ok;
    vj_us.push_back(usSince(t0));
  }
  if (!all_ok) {
    std::fprintf(stderr, "a validation failed\n");
    std::exit(1);
  }
  std::printf("typical tool call (10 properties, nested object, enum, pattern), %d calls\n",
              iterations);
  std::printf("  %-14s p50 %7.2f us   p99 %7.2f us\n", "ward",
              ward::bench::percentile(ward_us, 0.5), ward::bench::percentile(ward_us, 0.99));
  std::printf("  %-14s p50 %7.2f us   p99 %7.2f us\n", "valijson 1.0",
              ward::bench::percentile(vj_us, 0.5), ward::bench::percentile(vj_us, 0.99));
}

void linearCurve() {
  auto schema = ward::gateway::JsonSchema::compile(ward::parseJson(kPatternSchema).value(), "s");
  if (!schema.ok()) {
    std::fprintf(stderr, "%s\n", schema.status().toString().c_str());
    std::exit(1);
  }
  std::printf("pattern-heavy schema, one argument of N bytes (best of 5)\n");
  for (size_t kib : {1, 4, 16, 64, 256, 1024}) {
    const size_t n = kib * 1024;
    std::string text;
    while (text.size() < n) text += "Grüße, the quick brown fox (no. 42) jumps! ";
    text.resize(n);
    ward::Json lines = ward::Json::array();
    for (size_t i = 0; i * 40 < n; ++i) lines.push_back("line number " + std::to_string(i));
    ward::Json args = {{"text", text}, {"lines", lines}, {"x-abc", std::string(n, 'a')}};
    double best = 1e18;
    for (int rep = 0; rep < 5; ++rep) {
      auto t0 = Clock::now();
      bool ok = (*schema)->accepts(args);
      best = std::min(best, usSince(t0));
      if (!ok) {
        std::fprintf(stderr, "the %zu KiB argument does not validate\n", kib);
        std::exit(1);
      }
    }
    const double bytes = static_cast<double>(args.dump().size());
    std::printf("  %5zu KiB text (+ lines, x-abc; %8.0f bytes of JSON)  %10.1f us  %6.2f ns/byte\n",
                kib, bytes, best, best * 1000.0 / bytes);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
  typicalCall(iterations);
  linearCurve();
  return 0;
}
