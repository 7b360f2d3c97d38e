// A real MCP client (the official SDK 1.x, 2025-11-25 tasks) that runs tools as tasks through
// Ward for tests/integration/upstream_tasks_test.py. Usage: node task_client.mjs SPEC.json, where
// SPEC = {"connections": {NAME: {"transport": "http", "url", "key"} | {"transport": "stdio",
// "command", "args"}}, "ops": [{"as": NAME, "op", "params"}]}: one session per connection, open
// for the whole run (2025-11-25 tasks are bound to their session). Ops:
// - stream {name, arguments}: the SDK's own helper (experimental.tasks.callToolStream): the
//   message types seen, the task's statuses, the result or the error.
// - create {name, arguments}: tools/call with `task`: the CreateTaskResult.
// - get | result | cancel {taskId | taskIdFrom: index of an earlier create}: tasks/get,
//   tasks/result, tasks/cancel.
// - list {}: tasks/list.
// - getUntilMessage {taskId | taskIdFrom, text, tries}: tasks/get until its statusMessage
//   contains `text` (at most `tries` polls, 100 ms apart).
// - untilUpstream {name, label, status, tries}: calls the plain tool `name` until its
//   structuredContent.states[label] equals status (at most `tries` calls, 100 ms apart).
// Prints {"results": [{"ok": true, "result"} | {"ok": false, "code", "message"}]}. The SDK
// validates every result against the protocol's schemas.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { CreateTaskResultSchema } from "@modelcontextprotocol/sdk/experimental/tasks/types.js";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const clients = {};
for (const [name, c] of Object.entries(spec.connections)) {
  const transport =
    c.transport === "stdio"
      ? new StdioClientTransport({ command: c.command, args: c.args, stderr: "ignore" })
      : new StreamableHTTPClientTransport(new URL(c.url), {
          requestInit: { headers: { Authorization: `Bearer ${c.key}` } },
        });
  clients[name] = new Client({ name: "ward-task-test", version: "1.0.0" }, { capabilities: {} });
  await clients[name].connect(transport);
}
let client = null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const results = [];
const idOf = (p) => p.taskId ?? results[p.taskIdFrom]?.result?.task?.taskId;

const ops = {
  stream: async (p) => {
    const seen = [], statuses = [];
    let result = null, error = null, taskId = null;
    for await (const msg of client.experimental.tasks.callToolStream(
      { name: p.name, arguments: p.arguments ?? {} }, CallToolResultSchema, { task: { ttl: 600000 } })) {
      seen.push(msg.type);
      if (msg.type === "taskCreated") taskId = msg.task.taskId;
      if (msg.type === "taskStatus") statuses.push(msg.task.status);
      if (msg.type === "result") result = msg.result;
      if (msg.type === "error") error = { code: msg.error?.code ?? null, message: String(msg.error?.message ?? msg.error) };
    }
    return { seen, statuses, result, error, taskId };
  },
  create: (p) => client.request({ method: "tools/call", params: {
    name: p.name, arguments: p.arguments ?? {}, task: { ttl: 600000 } } }, CreateTaskResultSchema),
  get: (p) => client.experimental.tasks.getTask(idOf(p)),
  result: (p) => client.experimental.tasks.getTaskResult(idOf(p), CallToolResultSchema),
  cancel: (p) => client.experimental.tasks.cancelTask(idOf(p)),
  list: () => client.experimental.tasks.listTasks(),
  getUntilMessage: async (p) => {
    let last = null;
    for (let i = 0; i < (p.tries ?? 600); i++) {  // a bound on a hung run, not a timing check
      last = await client.experimental.tasks.getTask(idOf(p));
      if ((last?.statusMessage ?? "").includes(p.text)) return last;
      await sleep(100);
    }
    return last;
  },
  untilUpstream: async (p) => {
    let last = null;
    for (let i = 0; i < (p.tries ?? 600); i++) {  // a bound on a hung run, not a timing check
      last = await client.callTool({ name: p.name, arguments: {} });
      if (last?.structuredContent?.states?.[p.label] === p.status) return last;
      await sleep(100);
    }
    return last;
  },
};

for (const { as, op, params } of spec.ops) {
  client = clients[as];
  try {
    results.push({ ok: true, result: await ops[op](params ?? {}) });
  } catch (e) {
    results.push({ ok: false, code: e.code ?? null, message: String(e.message ?? e) });
  }
}
for (const c of Object.values(clients)) await c.close();
console.log(JSON.stringify({ results }));
