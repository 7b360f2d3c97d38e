// The pass/fail tally the npm-driven model tests share: ok/FAIL lines, groups that count a throw
// as a failure, and the exit code.
let passed = 0;
let failed = 0;

export function check(name, cond, detail) {
  if (cond) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name} ${detail === undefined ? "" : JSON.stringify(detail).slice(0, 1500)}`);
  }
}

// Runs one group of checks; a throw is one failed check naming the group.
export async function group(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(`${name} ran`, false, String(e && e.stack ? e.stack : e));
  }
}

// Prints the tally and exits: 1 when a check failed.
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
