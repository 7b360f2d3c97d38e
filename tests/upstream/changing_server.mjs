// A tiny MCP server (official SDK, stdio) whose tool set is read from a JSON file at start-up,
// so tests/integration/upstream_test.py can restart it with a changed schema, an added tool or a
// removed one. Tools: get_value {key} -> "value of <key>" and exit {} -> the process exits
// (a crash, from Ward's point of view). Usage: node changing_server.mjs STATE.json
import { readFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const state = JSON.parse(readFileSync(process.argv[2], "utf8"));
const server = new Server(
  { name: "changing", version: String(state.version ?? 1) },
  { capabilities: { tools: {} } },
);

server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: state.tools }));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const { name, arguments: args } = request.params;
  if (name === "exit") process.exit(7);
  if (!state.tools.some((t) => t.name === name)) {
    return { content: [{ type: "text", text: `unknown tool ${name}` }], isError: true };
  }
  return { content: [{ type: "text", text: `${name}: value of ${args?.key}` }] };
});

await server.connect(new StdioServerTransport());
