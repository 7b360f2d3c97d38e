// Shared by the npm-driven MCP tests: the pass/fail tally and `ward serve` on a free loopback port.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

let passed = 0, failed = 0;
export const check = (name, ok, detail) => {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name} ${detail === undefined ? '' : JSON.stringify(detail).slice(0, 400)}`); }
};

// Prints the tally and exits: 0 when every check held (and there was at least one).
export const finish = () => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
};

// `ward --data DATA serve` on 127.0.0.1:0; resolves to { child, url } once it listens.
export async function startServer(ward, data) {
  const child = spawn(ward, ['--data', data, 'serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
  if (!m) throw new Error(`ward serve printed ${line}`);
  return { child, url: `${m[1]}/mcp` };
}

// SIGTERM, then waits: the server writes its audit log until it exits, and must exit cleanly
// (a sanitizer build exits non-zero when it found leaks or errors).
export async function stopServer(server) {
  if (!server) return;
  if (server.child.exitCode === null) {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
  }
  check('ward serve exited cleanly', server.child.exitCode === 0, server.child.exitCode);
}
