// The load of bench/mcp_peers/run.py: `clients` official SDK clients, each over its own
// Streamable HTTP session (or stdio straight to the server: the floor), call one tool `calls`
// times each, back to back, after `warmup` calls. Prints one JSON line: every call's latency in
// microseconds (sorted), errors, and the wall time of the measured part.
// Usage: node client.mjs SPEC.json, SPEC = {"url" | "command"+"args", "key"?, "tool",
// "clients", "calls", "warmup"}
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));

async function connect() {
  const transport = spec.url
    ? new StreamableHTTPClientTransport(new URL(spec.url), {
        requestInit: { headers: spec.key ? { Authorization: `Bearer ${spec.key}` } : {} },
      })
    : new StdioClientTransport({ command: spec.command, args: spec.args, stderr: "ignore" });
  const client = new Client({ name: "ward-mcp-peers-bench", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  return client;
}

const clients = [];
for (let i = 0; i < spec.clients; ++i) clients.push(await connect());
let errors = 0;
const call = async (c, i) => {
  const r = await c.callTool({ name: spec.tool, arguments: { text: `hello ${i}` } });
  if (r.isError || r.content?.[0]?.text !== `hello ${i}`) ++errors;
};
for (const c of clients) for (let i = 0; i < spec.warmup; ++i) await call(c, i);

const latencies = [];
const start = process.hrtime.bigint();
await Promise.all(clients.map(async (c) => {
  for (let i = 0; i < spec.calls; ++i) {
    const t0 = process.hrtime.bigint();
    try {
      await call(c, i);
    } catch {
      ++errors;
    }
    latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}));
const wall_s = Number(process.hrtime.bigint() - start) / 1e9;
for (const c of clients) await c.close();
latencies.sort((a, b) => a - b);
console.log(JSON.stringify({ latencies_us: latencies, errors, wall_s }));
