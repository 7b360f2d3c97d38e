// The official MCP SDK clients driving the real `ward` binary: @modelcontextprotocol/sdk 1.x and
// @modelcontextprotocol/client 2.x, over stdio (`ward mcp --as`) and Streamable HTTP (`ward
// serve`, /mcp with an API key); the 2.x client both in the 2025 era and pinned to 2026-07-28.
// Usage: WARD_BIN=build/ward node tests/mcp/sdk_clients_test.mjs   (exit 0 = every check held)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as Http1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as Client2, StreamableHTTPClientTransport as Http2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';

import { check, finish, startServer, stopServer } from './harness.mjs';

const WARD = process.env.WARD_BIN;
if (!WARD) { console.error('set WARD_BIN'); process.exit(2); }

const tmp = mkdtempSync(join(tmpdir(), 'ward-mcp-sdk-'));
const data = join(tmp, 'data');
const ward = (...args) => execFileSync(WARD, ['--data', data, ...args], { encoding: 'utf8' }).trim();

function setup() {
  ward('init');
  ward('group', 'add', 'employees');
  ward('user', 'add', 'alice', '--groups', 'employees');
  // `search` and `fetch` are the built-ins every tenant gets at init, granted to every user.
  ward('tools', 'add', join(process.env.WARD_REPO ?? '.', 'examples/tools/search_docs.json'));
  ward('grants', 'add', '--tool', 'search_docs', '--group', 'employees');
  mkdirSync(join(tmp, 'docs'));
  writeFileSync(join(tmp, 'docs', 'leave.md'), '# Leave\nParental leave is sixteen weeks.\n');
  ward('ingest', join(tmp, 'docs', 'leave.md'), '--acl-users', 'alice');
  return ward('key', 'create', 'alice');
}

async function exercise(label, client, transport) {
  await client.connect(transport);
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  check(`${label}: lists the granted tools`, JSON.stringify(tools) === '["ask","fetch","search","search_docs"]', tools);
  const search = await client.callTool({ name: 'search_docs', arguments: { query: 'parental leave' } });
  const hits = search.structuredContent?.hits ?? [];
  check(`${label}: search returns cited hits`, !search.isError && hits.length > 0 && hits[0].citation, search);
  const docId = hits[0]?.doc_id ?? '';
  const missing = await client.callTool({ name: 'fetch', arguments: { id: '/no/such/doc' } });
  check(`${label}: a failing tool is an isError result`, missing.isError === true, missing);
  const read = await client.readResource({ uri: `ward://documents/${encodeURIComponent(docId)}` });
  check(`${label}: reads a document resource`, read.contents?.[0]?.text?.includes('sixteen weeks'), read);
  const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
  check(`${label}: lists the prompts`, prompts.includes('ward_cited_answer'), prompts);
  const prompt = await client.getPrompt({ name: 'ward_cited_answer', arguments: { question: 'How long?' } });
  check(`${label}: renders a prompt`, prompt.messages?.[0]?.content?.text?.includes('How long?'), prompt);
  let unknown = null;
  try { await client.callTool({ name: 'no_such_tool', arguments: {} }); } catch (e) { unknown = e; }
  check(`${label}: an unknown tool is a protocol error`, unknown !== null);
  await client.close();
}

const info = { name: 'ward-sdk-test', version: '1.0.0' };
let server = null;
try {
  const key = setup();
  server = await startServer(WARD, data);
  const headers = { Authorization: `Bearer ${key}` };
  const stdioArgs = { command: WARD, args: ['--data', data, 'mcp', '--as', 'alice'], stderr: 'ignore' };
  await exercise('sdk1 stdio', new Client1(info), new Stdio1(stdioArgs));
  await exercise('sdk1 http', new Client1(info), new Http1(new URL(server.url), { requestInit: { headers } }));
  await exercise('client2 stdio', new Client2(info), new Stdio2(stdioArgs));
  await exercise('client2 http', new Client2(info), new Http2(new URL(server.url), { requestInit: { headers } }));
  const pinned = { versionNegotiation: { mode: { pin: '2026-07-28' } } };
  await exercise('client2 http 2026-07-28', new Client2(info, pinned), new Http2(new URL(server.url), { requestInit: { headers } }));
  await exercise('client2 stdio 2026-07-28', new Client2(info, pinned), new Stdio2(stdioArgs));
  const events = ward('trace', 'list', '--kind', 'mcp_request', '--json').split('\n').map((l) => JSON.parse(l));
  const eras = new Set(events.map((e) => `${e.attributes.transport} ${e.attributes.protocol_version}`));
  for (const era of ['stdio 2025-11-25', 'http 2025-11-25', 'stdio 2026-07-28', 'http 2026-07-28']) {
    check(`trace shows requests served at ${era}`, eras.has(era), [...eras]);
  }
  check('trace records the SDK\'s self-reported clientInfo',
        events.some((e) => e.attributes.client_info?.name === 'ward-sdk-test'));
} catch (e) {
  check('no unexpected exception', false, String(e?.stack ?? e));
} finally {
  await stopServer(server);
  rmSync(tmp, { recursive: true, force: true });
}
finish();
