// The official MCP SDK clients running Ward tools as tasks (the tasks extension, docs/design/
// mcp.md "Tasks") over Streamable HTTP (`ward serve`) and stdio (`ward mcp --as`):
// - @modelcontextprotocol/sdk 1.x with its own task helper (experimental.tasks.callToolStream:
//   `task` on tools/call, tasks/get polling, tasks/result), 2025-11-25;
// - @modelcontextprotocol/client 2.x, which has no task helper: its generic request() with the
//   2025-11-25 wire; pinned to 2026-07-28 it cannot take a task (see client2Era2026).
// Each runs a plain tool as a task and a refund that waits for an approval which a reviewer
// decides through the REST API (POST /v1/approvals/{id}/approve) while the client polls.
// Usage: WARD_BIN=build/ward node tests/mcp/sdk_tasks_test.mjs   (exit 0 = every check held)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as Http1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as Client2, StreamableHTTPClientTransport as Http2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';

import { check, finish, startServer, stopServer } from './harness.mjs';

const WARD = process.env.WARD_BIN;
const REPO = process.env.WARD_REPO ?? '.';
if (!WARD) { console.error('set WARD_BIN'); process.exit(2); }

const tmp = mkdtempSync(join(tmpdir(), 'ward-mcp-tasks-'));
const data = join(tmp, 'data');
const ward = (...args) => execFileSync(WARD, ['--data', data, ...args], { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A Standard Schema that accepts any result: the 2.x client validates custom requests with one.
const anyResult = { '~standard': { version: 1, vendor: 'ward-test', validate: (value) => ({ value }) } };

let billing = null;
async function setup() {
  ward('init');
  ward('group', 'add', 'employees');
  ward('group', 'add', 'approvers');
  ward('user', 'add', 'alice', '--groups', 'employees');
  ward('user', 'add', 'rita', '--groups', 'approvers');
  const portFile = join(tmp, 'billing.port');
  billing = spawn('python3', [join(REPO, 'examples/billing_service.py'), '--port', '0', '--port-file', portFile,
    '--token', 'tok-tasks'], { stdio: 'ignore' });
  for (let i = 0; i < 2400 && !(existsSync(portFile) && readFileSync(portFile, 'utf8').trim()); i++) await sleep(50);
  const port = readFileSync(portFile, 'utf8').trim();
  const refund = JSON.parse(readFileSync(join(REPO, 'examples/tools/refund_invoice.json'), 'utf8'));
  refund.backend.url = refund.backend.url.replace(':7480/', `:${port}/`);
  mkdirSync(join(tmp, 'tools'));
  writeFileSync(join(tmp, 'tools', 'refund_invoice.json'), JSON.stringify(refund));
  ward('tools', 'add', join(REPO, 'examples/tools/search_docs.json'), join(tmp, 'tools', 'refund_invoice.json'));
  execFileSync(WARD, ['--data', data, 'secrets', 'set', 'billing_token'], { input: 'tok-tasks\n' });
  ward('grants', 'add', '--tool', 'search_docs', '--group', 'employees');
  ward('grants', 'add', '--tool', 'refund_invoice', '--principal', 'alice');
  mkdirSync(join(tmp, 'docs'));
  writeFileSync(join(tmp, 'docs', 'leave.md'), '# Leave\nParental leave is sixteen weeks.\n');
  ward('ingest', join(tmp, 'docs', 'leave.md'), '--acl-users', 'alice');
  return { alice: ward('key', 'create', 'alice'), rita: ward('key', 'create', 'rita'), port };
}

// The reviewer: waits for a pending refund approval and approves it through the REST API.
async function approveWhenPending(base, ritaKey, invoice) {
  const auth = { Authorization: `Bearer ${ritaKey}` };
  for (let i = 0; i < 2400; i++) {  // a bound on a hung run, not a timing check
    const list = await (await fetch(`${base}/v1/approvals?state=pending`, { headers: auth })).json();
    const mine = (list.approvals ?? []).find((a) => JSON.stringify(a).includes(invoice));
    if (mine) {
      const r = await fetch(`${base}/v1/approvals/${mine.id}/approve`, {
        method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ comment: 'ok by the sdk test' }) });
      return r.status;
    }
    await sleep(50);
  }
  return 0;
}

const refundArgs = (invoice) => ({ invoice_id: invoice, amount: 900, reason: 'damaged goods' });

async function sdk1(label, transport, base, keys, invoice) {
  const client = new Client1({ name: 'ward-tasks-test', version: '1.0.0' });
  await client.connect(transport);
  const caps = client.getServerCapabilities();
  check(`${label}: the server offers tasks for tools/call`, caps?.tasks?.requests?.tools?.call !== undefined, caps);
  const seen = [];
  let result = null;
  for await (const msg of client.experimental.tasks.callToolStream(
    { name: 'search_docs', arguments: { query: 'parental leave' } }, CallToolResultSchema, { task: { ttl: 60000 } })) {
    seen.push(msg.type);
    if (msg.type === 'result') result = msg.result;
  }
  check(`${label}: a tool runs as a task (created, polled, result)`,
        seen[0] === 'taskCreated' && seen.includes('taskStatus') && result?.structuredContent?.hits?.length > 0, { seen, result });
  const reviewer = approveWhenPending(base, keys.rita, invoice);
  const types = [];
  let refund = null, statuses = [];
  for await (const msg of client.experimental.tasks.callToolStream(
    { name: 'refund_invoice', arguments: refundArgs(invoice) }, CallToolResultSchema, { task: { ttl: 60000 } })) {
    types.push(msg.type);
    if (msg.type === 'taskStatus') statuses.push(msg.task.status);
    if (msg.type === 'result') refund = msg.result;
    if (msg.type === 'error') refund = { error: String(msg.error) };
  }
  check(`${label}: the reviewer approved through the REST API`, (await reviewer) === 200);
  check(`${label}: the approval task ends with the tool's real result`,
        refund?.structuredContent?.status === 'refunded' && statuses.at(-1) === 'completed', { types, statuses, refund });
  await client.close();
}

async function client2Era2025(label, transport, base, keys, invoice) {
  const client = new Client2({ name: 'ward-tasks-test', version: '2.0.0' });
  await client.connect(transport);
  const created = await client.request({ method: 'tools/call', params: {
    name: 'refund_invoice', arguments: refundArgs(invoice), task: { ttl: 60000 } } }, anyResult);
  const id = created?.task?.taskId;
  check(`${label}: tools/call with task answers a task`, typeof id === 'string' && created.task.ttl === 60000, created);
  const reviewer = approveWhenPending(base, keys.rita, invoice);
  let task = null;
  for (let i = 0; i < 2400; i++) {
    task = await client.request({ method: 'tasks/get', params: { taskId: id } }, anyResult);
    if (['completed', 'failed', 'cancelled'].includes(task.status)) break;
    await sleep(task.pollInterval ?? 1000);
  }
  check(`${label}: the reviewer approved through the REST API`, (await reviewer) === 200);
  const result = await client.request({ method: 'tasks/result', params: { taskId: id } }, anyResult);
  check(`${label}: polled to completed; tasks/result is the refund`,
        task?.status === 'completed' && result?.structuredContent?.status === 'refunded' &&
        result?._meta?.['io.modelcontextprotocol/related-task']?.taskId === id, { task, result });
  await client.close();
}

// The 2.x client pinned to 2026-07-28 has no tasks extension: its decoder refuses a
// `resultType: "task"` answer ("Unsupported result type 'task'"). So it does not declare the
// extension, and Ward must not answer it with a task: a parked call stays the pending answer
// naming the approval, which the reviewer then approves through the REST API. (The extension's
// wire is covered by the conformance suite and tests/integration/mcp_tasks_test.py.)
async function client2Era2026(label, transport, base, keys, invoice) {
  const client = new Client2({ name: 'ward-tasks-test', version: '2.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(transport);
  const r = await client.callTool({ name: 'refund_invoice', arguments: refundArgs(invoice) });
  check(`${label}: without the extension a parked call is the pending answer, not a task`,
        r?.structuredContent?.status === 'pending' && r.structuredContent.approval_id && r.taskId === undefined, r);
  check(`${label}: the reviewer approved through the REST API`, (await approveWhenPending(base, keys.rita, invoice)) === 200);
  await client.close();
}

let server = null;
try {
  const keys = await setup();
  server = await startServer(WARD, data);
  const base = server.url.replace(/\/mcp$/, '');
  const headers = { Authorization: `Bearer ${keys.alice}` };
  const http = (T) => new T(new URL(server.url), { requestInit: { headers } });
  const stdioArgs = { command: WARD, args: ['--data', data, 'mcp', '--as', 'alice'], stderr: 'ignore' };
  await sdk1('sdk1 http', http(Http1), base, keys, 'INV-2024-0042');
  await sdk1('sdk1 stdio', new Stdio1(stdioArgs), base, keys, 'INV-2024-0043');
  await client2Era2025('client2 http 2025-11-25', http(Http2), base, keys, 'INV-2024-0044');
  await client2Era2025('client2 stdio 2025-11-25', new Stdio2(stdioArgs), base, keys, 'INV-2024-0042');
  await client2Era2026('client2 http 2026-07-28', http(Http2), base, keys, 'INV-2024-0043');
  await client2Era2026('client2 stdio 2026-07-28', new Stdio2(stdioArgs), base, keys, 'INV-2024-0044');
  const stats = await (await fetch(`http://127.0.0.1:${keys.port}/stats`)).json();
  check('each approved refund ran exactly once', stats.refunds === 6, stats);
  const events = ward('trace', 'list', '--kind', 'mcp_task', '--json').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  check('the tasks\' state changes are in the trace', events.filter((e) => e.attributes.status === 'completed').length >= 6,
        events.length);
} catch (e) {
  check('no unexpected exception', false, String(e?.stack ?? e));
} finally {
  await stopServer(server);
  billing?.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
finish();
