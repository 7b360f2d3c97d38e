// Ward's MCP streams driven by the official SDK client (@modelcontextprotocol/sdk 1.x) and raw
// Streamable HTTP against the real `ward` binary: a call parked for approval that asks the user
// (elicitation/create) while it waits, over HTTP and stdio; cancellation of such a call; the
// 2025 session's standalone GET stream pushing tools/list_changed and resources/updated (never
// for a document the caller may not read); a 2026-07-28 subscriptions/listen stream; and an
// upstream MCP server (server-everything over stdio) whose sampling and elicitation requests
// Ward forwards to the calling client because its configuration allows them.
// Usage: WARD_BIN=build/ward node tests/mcp/streams_test.mjs   (exit 0 = every check held)
import { execFileSync, spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ToolListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { existsSync } from 'node:fs';

import { check, finish, startServer, stopServer } from './harness.mjs';

const WARD = process.env.WARD_BIN;
if (!WARD) { console.error('set WARD_BIN'); process.exit(2); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Waits (functionally, not timed: the bound only stops a hung run) until pred() holds.
async function until(pred, ms = 120000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (pred()) return true;
  return pred();
}

const tmp = mkdtempSync(join(tmpdir(), 'ward-mcp-streams-'));
const data = join(tmp, 'data');
const ward = (...args) => execFileSync(WARD, ['--data', data, ...args], { encoding: 'utf8' }).trim();
const ingest = (name, text, acl) => {
  writeFileSync(join(tmp, 'docs', name), text);
  ward('ingest', join(tmp, 'docs', name), '--acl-users', acl);
};

// server-everything over Streamable HTTP on a free port (it announces "listening" on stderr).
async function startEverythingHttp() {
  const port = await new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve) => createInterface({ input: child.stderr }).on('line', (l) => { if (/listening/i.test(l)) resolve(); }));
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

function setup(everythingHttpUrl) {
  ward('init');
  ward('group', 'add', 'employees');
  ward('group', 'add', 'approvers');
  ward('user', 'add', 'alice', '--groups', 'employees');
  ward('user', 'add', 'bob', '--groups', 'employees');
  ward('user', 'add', 'dave', '--groups', 'approvers');
  const search = JSON.parse(readFileSync(join(process.env.WARD_REPO ?? '.', 'examples/tools/search_docs.json'), 'utf8'));
  // A read tool that needs a reviewer when asked for "approve me".
  const guarded = { ...search, name: 'guarded_search', description: 'Search; some queries need approval',
                    approval: [{ name: 'asked', when: { arg: 'query', op: '==', value: 'approve me' } }] };
  writeFileSync(join(tmp, 'guarded.json'), JSON.stringify(guarded));
  ward('tools', 'add', join(tmp, 'guarded.json'));
  ward('tools', 'add', join(process.env.WARD_REPO ?? '.', 'examples/tools/search_docs.json'));
  ward('grants', 'add', '--tool', 'guarded_search', '--group', 'employees');
  mkdirSync(join(tmp, 'docs'));
  ingest('leave.md', '# Leave\nParental leave is sixteen weeks.\n', 'alice');
  ingest('salary.md', '# Salaries\nBob earns a lot.\n', 'bob');
  if (existsSync(EVERYTHING)) {
    // The upstream may ask for sampling and elicitation; Ward declares both and forwards them.
    // Their results are trusted content here, so one session calls several of their (write-risk)
    // tools without the untrusted-content gate parking them (docs/design/gateway.md).
    const toml = readFileSync(join(data, 'ward.toml'), 'utf8').replace(/^trusted_sources = .*$/m,
      'trusted_sources = ["upstream:everything", "upstream:everything_http"]');
    writeFileSync(join(data, 'ward.toml'), toml + `
[[upstreams]]
name = "everything"
transport = "stdio"
command = ${JSON.stringify(process.execPath)}
args = [${JSON.stringify(EVERYTHING)}, "stdio"]
allow_sampling = true
allow_elicitation = true

[[upstreams]]
name = "everything_http"
transport = "http"
url = ${JSON.stringify(everythingHttpUrl)}
allow_sampling = true
`);
    ward('upstream', 'sync', 'everything');
    ward('upstream', 'sync', 'everything_http');
    ward('grants', 'add', '--tool', 'everything_http.trigger-sampling-request', '--principal', 'alice');
    ward('grants', 'add', '--tool', 'everything.trigger-sampling-request', '--principal', 'alice');
    ward('grants', 'add', '--tool', 'everything.trigger-elicitation-request', '--principal', 'alice');
  }
  return ward('key', 'create', 'alice');
}

const EVERYTHING = join(process.env.WARD_REPO ?? '.', 'tests/upstream/node_modules/@modelcontextprotocol/server-everything/dist/index.js');

// subscriptions/listen over stdio (2026-07-28): the stream shares stdout, tagged by its id;
// cancelling the listen request ends it.
async function stdioListen() {
  const child = spawn(WARD, ['--data', data, 'mcp', '--as', 'alice'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l)));
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const send = (m) => child.stdin.write(JSON.stringify(m) + '\n');
  send({ jsonrpc: '2.0', id: 'L1', method: 'subscriptions/listen', params: { _meta: meta, notifications: { toolsListChanged: true } } });
  const acked = await until(() => lines.some((l) => l.method === 'notifications/subscriptions/acknowledged'));
  check('stdio listen: acknowledged', acked, lines);
  grantId = /\d+/.exec(ward('grants', 'add', '--tool', 'search_docs', '--principal', 'alice'))?.[0];
  const tagged = (l) => l.method === 'notifications/tools/list_changed' && l.params?._meta?.['io.modelcontextprotocol/subscriptionId'] === 'L1';
  check('stdio listen: a new grant pushes a tagged tools/list_changed', await until(() => lines.some(tagged)), lines);
  send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'L1' } });
  send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } });
  await until(() => lines.some((l) => l.id === 2));
  const before = lines.filter(tagged).length;
  ward('grants', 'rm', grantId);
  await sleep(1500);  // several change checks (every 500 ms): none may reach a cancelled listener
  check('stdio listen: after cancelling it, nothing more is sent', lines.filter(tagged).length === before, lines);
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
}

// An upstream's sampling/elicitation requests during a call reach the calling client.
async function upstreamAsks(url, headers) {
  if (!existsSync(EVERYTHING)) { check('upstream forwarding (server-everything not installed)', false); return; }
  const client = new Client({ name: 'ward-streams-test', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
  const sampled = [], elicited = [];
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
    sampled.push(req.params);
    return { role: 'assistant', content: { type: 'text', text: 'forty-two from the client model' }, model: 'test-model', stopReason: 'endTurn' };
  });
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    elicited.push(req.params);
    return { action: 'decline' };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  const s = await client.callTool({ name: 'everything.trigger-sampling-request', arguments: { prompt: 'meaning of life', maxTokens: 20 } });
  check('upstream: its sampling request reached the client', sampled.length === 1 &&
        JSON.stringify(sampled[0].messages).includes('meaning of life'), sampled);
  check('upstream: the client model\'s answer went back into the tool result', !s.isError &&
        JSON.stringify(s.content).includes('forty-two from the client model'), s);
  const h = await client.callTool({ name: 'everything_http.trigger-sampling-request', arguments: { prompt: 'over http', maxTokens: 20 } });
  check('upstream over HTTP: the request on the call\'s stream reached the client and its answer came back',
        sampled.length === 2 && JSON.stringify(sampled[1].messages).includes('over http') && !h.isError &&
        JSON.stringify(h.content).includes('forty-two from the client model'), [sampled, h]);
  const e = await client.callTool({ name: 'everything.trigger-elicitation-request', arguments: {} });
  check('upstream: its elicitation reached the client, and the decline went back', elicited.length === 1 &&
        !e.isError && JSON.stringify(e.content).toLowerCase().includes('decline'), [elicited, e]);
  await client.close();
  // A client that cannot be asked (no capabilities, so no live stream): the upstream's request is
  // refused and the call fails instead of hanging.
  const plain = new Client({ name: 'ward-streams-test', version: '1.0.0' });
  await plain.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  const refused = await plain.callTool({ name: 'everything.trigger-sampling-request', arguments: { prompt: 'x' } });
  check('upstream: a caller that cannot be asked gets an isError result', refused.isError === true, refused);
  await plain.close();
  const outcomes = ward('trace', 'list', '--kind', 'mcp_request', '--json').split('\n').filter((l) => l)
    .map((l) => JSON.parse(l).attributes).filter((a) => a.method?.includes('from an upstream'));
  check('upstream: each forwarded request is recorded', outcomes.some((a) => a.method.startsWith('sampling/createMessage') && a.outcome === 'forwarded') &&
        outcomes.some((a) => a.method.startsWith('elicitation/create') && a.outcome === 'forwarded'), outcomes);
}

let grantId = null;
const approvalIdOf = (message) => /approval id ([^)\s]+)\)/.exec(message ?? '')?.[1];

// A call parked for approval keeps its stream open and asks the user; a reviewer approves in
// between; the user's "accept" makes Ward check again and return the tool's real result.
async function approvalByElicitation(label, transport) {
  const client = new Client({ name: 'ward-streams-test', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const asked = [];
  let mode = 'approve';
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(req.params.message);
    const id = approvalIdOf(req.params.message);
    if (mode === 'approve' && asked.length === 1) ward('approvals', 'approve', id, '--as', 'dave');
    return mode === 'decline' ? { action: 'decline' } : { action: 'accept', content: { check: true } };
  });
  await client.connect(transport);
  const r = await client.callTool({ name: 'guarded_search', arguments: { query: 'approve me' } });
  check(`${label}: the parked call asked the user, naming the approval`, asked.length >= 1 && approvalIdOf(asked[0]), asked);
  check(`${label}: after the approval the call returns the tool's result`, !r.isError && Array.isArray(r.structuredContent?.hits), r);
  mode = 'decline';
  asked.length = 0;
  const p = await client.callTool({ name: 'guarded_search', arguments: { query: 'approve me', k: 3 } });
  check(`${label}: declining leaves a pending result with the approval id`,
        p.structuredContent?.status === 'pending' && p.structuredContent?.approval_id === approvalIdOf(asked[0]), p);
  await client.close();
}

// notifications/cancelled (the SDK sends it on abort) ends the wait at once: no response comes.
async function cancellation(url, headers) {
  const client = new Client({ name: 'ward-streams-test', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const controller = new AbortController();
  let asked = 0;
  client.setRequestHandler(ElicitRequestSchema, async () => {
    asked++;
    controller.abort('the user closed the dialog');
    await sleep(200);
    return { action: 'accept', content: { check: true } };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  let error = null;
  try {
    await client.callTool({ name: 'guarded_search', arguments: { query: 'approve me', k: 4 } }, undefined, { signal: controller.signal });
  } catch (e) { error = e; }
  check('http: an aborted call is cancelled on the client', asked === 1 && error !== null, String(error));
  const outcomes = () => ward('trace', 'list', '--kind', 'mcp_request', '--json').split('\n')
    .filter((l) => l).map((l) => JSON.parse(l).attributes.outcome);
  let seen = [];
  await until(() => (seen = outcomes()).includes('cancelled a running request'), 120000);
  check('http: Ward recorded that the running request was cancelled', seen.includes('cancelled a running request'), seen);
  await client.close();
}

// A fetch for the SDK transport that notes when its GET stream's response has arrived (Ward
// answers a GET only once the stream is registered), so a test waits for that event, not a delay.
function watchingGetStreams() {
  let opened = 0;
  const watched = async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && response.ok) opened++;
    return response;
  };
  return { fetch: watched, opened: () => opened };
}

// The 2025 session's GET stream: list changes and subscribed document updates as they happen.
async function getStream(url, headers) {
  const client = new Client({ name: 'ward-streams-test', version: '1.0.0' });
  const toolChanges = [], updated = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => { toolChanges.push(1); });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updated.push(n.params.uri); });
  const streams = watchingGetStreams();
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: streams.fetch }));
  const before = (await client.listTools()).tools.map((t) => t.name);
  const leave = (await client.listResources()).resources.find((r) => r.uri.includes('leave'));
  const bobs = leave.uri.replace(/leave\.md$/, 'salary.md');
  await client.subscribeResource({ uri: leave.uri });
  await client.subscribeResource({ uri: bobs });  // not hers: its changes must never show
  check('get stream: the SDK opened its GET stream', await until(() => streams.opened() > 0, 120000));
  grantId = /\d+/.exec(ward('grants', 'add', '--tool', 'search_docs', '--principal', 'alice'))?.[0];
  check('get stream: a new grant pushes tools/list_changed', await until(() => toolChanges.length > 0), toolChanges);
  const after = (await client.listTools()).tools.map((t) => t.name);
  check('get stream: the new tool is listed after the notice', !before.includes('search_docs') && after.includes('search_docs'), after);
  ingest('salary.md', '# Salaries\nBob earns even more.\n', 'bob');
  ingest('leave.md', '# Leave\nParental leave is twenty weeks.\n', 'alice');
  check('get stream: a subscribed document she may read pushes resources/updated', await until(() => updated.includes(leave.uri)), updated);
  check('get stream: a document she may not read never shows', !updated.includes(bobs), updated);
  await client.close();
}

// Raw HTTP: the GET stream's refusals, and a 2026-07-28 subscriptions/listen stream.
async function rawHttp(url, headers) {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const noSession = await fetch(url, { method: 'GET', headers: { ...headers, Accept: 'text/event-stream' } });
  check('GET without a session is 405', noSession.status === 405, noSession.status);
  const init = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
  const session = init.headers.get('mcp-session-id');
  const sh = { ...headers, 'Mcp-Session-Id': session, Accept: 'text/event-stream' };
  const notSse = await fetch(url, { method: 'GET', headers: { ...sh, Accept: 'application/json' } });
  check('GET without Accept: text/event-stream is 406', notSse.status === 406, notSse.status);
  const first = await fetch(url, { method: 'GET', headers: sh });
  const second = await fetch(url, { method: 'GET', headers: sh });
  check('one GET stream per session: the second is 409', first.status === 200 && second.status === 409, [first.status, second.status]);
  const ended = (async () => { const r = first.body.getReader(); while (!(await r.read()).done); return true; })();
  const deleted = await fetch(url, { method: 'DELETE', headers: { ...headers, 'Mcp-Session-Id': session } });
  check('DELETE of the session ends its GET stream', deleted.status === 200 && await ended, deleted.status);

  const listen = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
    'Mcp-Method': 'subscriptions/listen', 'MCP-Protocol-Version': '2026-07-28' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 'sub-1', method: 'subscriptions/listen', params: { _meta: meta, notifications: { toolsListChanged: true, promptsListChanged: true } } }) });
  check('subscriptions/listen answers with an event stream', listen.status === 200 && listen.headers.get('content-type') === 'text/event-stream', listen.status);
  const frames = [];
  const reader = listen.body.getReader();
  let text = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += Buffer.from(value).toString('utf8');
      let at;
      while ((at = text.indexOf('\n\n')) >= 0) {
        const event = text.slice(0, at); text = text.slice(at + 2);
        const dataLine = event.split('\n').find((l) => l.startsWith('data: '));
        if (dataLine) frames.push(JSON.parse(dataLine.slice(6)));
      }
    }
  })().catch(() => {});
  await until(() => frames.length > 0);
  const ack = frames[0];
  check('listen: acknowledged first, only what Ward honours',
        ack?.method === 'notifications/subscriptions/acknowledged' && ack.params.notifications.toolsListChanged === true &&
        !('promptsListChanged' in ack.params.notifications) && ack.params._meta['io.modelcontextprotocol/subscriptionId'] === 'sub-1', ack);
  ward('grants', 'rm', grantId);
  const changed = await until(() => frames.some((f) => f.method === 'notifications/tools/list_changed'));
  const notice = frames.find((f) => f.method === 'notifications/tools/list_changed');
  check('listen: a revoked grant pushes tools/list_changed tagged with the subscription id',
        changed && notice.params._meta['io.modelcontextprotocol/subscriptionId'] === 'sub-1', frames);
  await reader.cancel();
  await pump;
}

// An open stream re-checks its key (every 10 s): revoking the key ends the stream.
async function revokedKey(url) {
  const key = ward('key', 'create', 'alice');
  const headers = { Authorization: `Bearer ${key}` };
  const init = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
  const session = init.headers.get('mcp-session-id');
  const stream = await fetch(url, { method: 'GET', headers: { ...headers, 'Mcp-Session-Id': session, Accept: 'text/event-stream' } });
  let ended = false;
  const reader = stream.body.getReader();
  (async () => { while (!(await reader.read()).done); ended = true; })().catch(() => { ended = true; });
  await sleep(1000);
  check('revoked key: the stream is open before', stream.status === 200 && !ended, stream.status);
  ward('key', 'revoke', key.split('_')[1]);
  // The bound (well past the 10 s re-check) only stops a hung run.
  check('revoked key: its open GET stream ends after a re-check', await until(() => ended, 120000));
}

let server = null, everythingHttp = null;
try {
  if (existsSync(EVERYTHING)) everythingHttp = await startEverythingHttp();
  const key = setup(everythingHttp?.url);
  server = await startServer(WARD, data);
  const headers = { Authorization: `Bearer ${key}` };
  await approvalByElicitation('http', new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
  await approvalByElicitation('stdio', new StdioClientTransport({ command: WARD, args: ['--data', data, 'mcp', '--as', 'alice'], stderr: 'ignore' }));
  await cancellation(server.url, headers);
  await getStream(server.url, headers);
  await rawHttp(server.url, headers);
  await revokedKey(server.url);
  await upstreamAsks(server.url, headers);
  await stdioListen();
} catch (e) {
  check('no unexpected exception', false, String(e?.stack ?? e));
} finally {
  await stopServer(server);
  everythingHttp?.child.kill();
  rmSync(tmp, { recursive: true, force: true });
}
finish();
