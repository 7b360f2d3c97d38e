// LangChain's MCP client (@langchain/mcp-adapters) against a fresh `ward serve` (issue 19, items
// 26 and 22): with no tool file registered, a user lists and calls the built-in `search` and
// `fetch` every tenant gets at `ward init`, and reaches only what she may read; an agent lists
// them only once granted, and then reads only inside its document scope; an admin's withdrawal
// of a built-in's grant is not undone when the data dir is opened again.
// Usage: WARD_BIN=build/ward node tests/mcp/langchain_client_test.mjs   (exit 0 = every check held)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MultiServerMCPClient } from '@langchain/mcp-adapters';

import { check, finish, startServer, stopServer } from './harness.mjs';

const WARD = process.env.WARD_BIN;
if (!WARD) { console.error('set WARD_BIN'); process.exit(2); }

const tmp = mkdtempSync(join(tmpdir(), 'ward-mcp-langchain-'));
const data = join(tmp, 'data');
const ward = (...args) => execFileSync(WARD, ['--data', data, ...args], { encoding: 'utf8' }).trim();

function setup() {
  ward('init');
  ward('user', 'add', 'alice');
  ward('user', 'add', 'bob');
  ward('user', 'add', 'helper', '--agent');
  mkdirSync(join(tmp, 'docs'));
  writeFileSync(join(tmp, 'docs', 'leave.md'), '# Leave\nParental leave is sixteen weeks.\n');
  writeFileSync(join(tmp, 'docs', 'salary.md'), '# Salary\nParental bonus for bob only.\n');
  writeFileSync(join(tmp, 'docs', 'canteen.md'), '# Canteen\nParental rooms are on floor two.\n');
  ward('ingest', join(tmp, 'docs', 'leave.md'), '--acl-users', 'alice');
  ward('ingest', join(tmp, 'docs', 'salary.md'), '--acl-users', 'bob');
  ward('ingest', join(tmp, 'docs', 'canteen.md'), '--public', '--source', 'canteen');
  return { alice: ward('key', 'create', 'alice'), helper: ward('key', 'create', 'helper') };
}

function langchain(url, key) {
  return new MultiServerMCPClient({
    throwOnLoadError: true,
    useStandardContentBlocks: true,
    mcpServers: { ward: { transport: 'http', url, headers: { Authorization: `Bearer ${key}` }, automaticSSEFallback: false } },
  });
}

// A tool's output as text, whatever shape the adapter gives it (a string, or content blocks).
const text = (out) => (typeof out === 'string' ? out : JSON.stringify(out));

async function toolNames(url, key) {
  const client = langchain(url, key);
  try {
    return (await client.getTools()).map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

async function userChecks(url, key) {
  const client = langchain(url, key);
  const tools = await client.getTools();
  const names = tools.map((t) => t.name).sort();
  check('langchain: a fresh data dir lists the built-in ask, search and fetch', JSON.stringify(names) === '["ask","fetch","search"]', names);
  const search = tools.find((t) => t.name === 'search');
  const fetchTool = tools.find((t) => t.name === 'fetch');
  const found = text(await search.invoke({ query: 'parental' }));
  check('langchain: search returns her document with a citation', found.includes('leave.md') && found.includes('citation'), found);
  check('langchain: search never returns what she may not read', !found.includes('salary.md'), found);
  const leaveId = /"doc_id":"([^"]*leave\.md)"/.exec(found.replaceAll('\\"', '"'))?.[1] ?? join(tmp, 'docs', 'leave.md');
  const fetched = text(await fetchTool.invoke({ id: leaveId }));
  check('langchain: fetch reads her document', fetched.includes('sixteen weeks'), fetched);
  let hidden = '';
  try { hidden = text(await fetchTool.invoke({ id: join(tmp, 'docs', 'salary.md') })); } catch (e) { hidden = String(e); }
  check('langchain: fetch of a document she may not read is "not found"', hidden.includes('not found') && !hidden.includes('bonus'), hidden);
  await client.close();
}

async function agentChecks(url, key) {
  check('langchain: an agent without a grant lists nothing', (await toolNames(url, key)).length === 0);
  ward('grants', 'add', '--tool', 'search', '--agent', 'helper');
  const client = langchain(url, key);
  const search = (await client.getTools()).find((t) => t.name === 'search');
  check('langchain: a granted agent lists search', search !== undefined);
  const none = text(await search.invoke({ query: 'parental' }));
  check('langchain: an agent without a document scope reads nothing', !none.includes('canteen.md') && !none.includes('leave.md'), none);
  ward('agent', 'scope', 'add', 'helper', '--source', 'canteen');
  const scoped = text(await search.invoke({ query: 'parental' }));
  check('langchain: with scope source canteen it reads exactly that', scoped.includes('canteen.md') && !scoped.includes('leave.md'), scoped);
  await client.close();
}

let server = null;
try {
  const keys = setup();
  server = await startServer(WARD, data);
  await userChecks(server.url, keys.alice);
  await agentChecks(server.url, keys.helper);
  // Withdrawal: the admin removes fetch's grant to every user; reopening the data dir (a new
  // server) does not provision it again.
  const grants = JSON.parse(ward('grants', 'list')).grants;
  const fetchGrant = grants.find((g) => g.tool === 'fetch' && g.subject_kind === 'users');
  check('the built-in fetch is granted to every user ("users:*")', fetchGrant?.subject === '*', grants);
  ward('grants', 'rm', String(fetchGrant?.id));
  await stopServer(server);
  server = await startServer(WARD, data);
  const after = await toolNames(server.url, keys.alice);
  check('a withdrawn built-in stays withdrawn after a restart', JSON.stringify(after) === '["ask","search"]', after);
} catch (e) {
  check('langchain test ran without throwing', false, String(e?.stack ?? e));
} finally {
  await stopServer(server);
  rmSync(tmp, { recursive: true, force: true });
}
finish();
