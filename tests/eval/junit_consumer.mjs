// Reads a JUnit XML file with a real consumer (test-results-parser, pinned in package-lock.json)
// and prints what it understood as one JSON line: totals and each case's name, status and
// failure message. Used by tests/integration/eval_test.py on `ward eval run --junit` output.
// Usage: node junit_consumer.mjs FILE
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { parse } = require("test-results-parser");

const result = parse({ type: "junit", files: [process.argv[2]] });
const cases = [];
for (const suite of result.suites) {
  for (const c of suite.cases) cases.push({ name: c.name, status: c.status, failure: c.failure });
}
console.log(JSON.stringify({
  total: result.total, passed: result.passed, failed: result.failed, errors: result.errors,
  suites: result.suites.map((s) => s.name), cases,
}));
