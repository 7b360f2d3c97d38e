// A real MCP client (the official SDK) that drives Ward's resources, prompts and completion for
// tests/integration/upstream_content_test.py. Usage: node content_client.mjs SPEC.json, where
// SPEC = {"transport": "http", "url", "key"} or {"transport": "stdio", "command", "args"}, plus
// "logLevel" (optional) and "ops": [{"op": "listResources" | "readResource" | ... | "callTool",
// "params"}].
// Prints one JSON object: {"results": [{"ok": true, "result"} | {"ok": false, "code",
// "message"}], "logs": [notifications/message params]}. The SDK validates every result against
// the protocol's schemas, so a malformed answer from Ward is an error here.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const transport =
  spec.transport === "stdio"
    ? new StdioClientTransport({ command: spec.command, args: spec.args, stderr: "ignore" })
    : new StreamableHTTPClientTransport(new URL(spec.url), {
        requestInit: { headers: { Authorization: `Bearer ${spec.key}` } },
      });
const client = new Client({ name: "ward-content-test", version: "1.0.0" }, { capabilities: {} });
const logs = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));
await client.connect(transport);
if (spec.logLevel) await client.setLoggingLevel(spec.logLevel);

// Follows nextCursor to the end (bounded), as a client listing everything does.
async function all(list, field, params) {
  const items = [];
  let cursor;
  for (let page = 0; page < 100; ++page) {
    const r = await list({ ...params, ...(cursor ? { cursor } : {}) });
    items.push(...r[field]);
    if (!r.nextCursor) return { [field]: items, pages: page + 1 };
    cursor = r.nextCursor;
  }
  throw new Error("more than 100 pages");
}

const ops = {
  listResources: (p) => all((q) => client.listResources(q), "resources", p),
  listResourceTemplates: (p) =>
    all((q) => client.listResourceTemplates(q), "resourceTemplates", p),
  readResource: (p) => client.readResource(p),
  listPrompts: (p) => all((q) => client.listPrompts(q), "prompts", p),
  getPrompt: (p) => client.getPrompt(p),
  complete: (p) => client.complete(p),
  callTool: (p) => client.callTool(p),
};

const results = [];
for (const { op, params } of spec.ops) {
  try {
    results.push({ ok: true, result: await ops[op](params ?? {}) });
  } catch (e) {
    results.push({ ok: false, code: e.code ?? null, message: String(e.message ?? e) });
  }
}
await client.close();
console.log(JSON.stringify({ results, logs }));
