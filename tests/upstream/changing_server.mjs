// A tiny MCP server (official SDK, stdio) whose tool set is read from a JSON file at start-up,
// so tests/integration/upstream_test.py can restart it with a changed schema, an added tool or a
// removed one. Tools: get_value {key} -> "value of <key>" and exit {} -> the process exits
// (a crash, from Ward's point of view). Prompts: the file's "prompts" (re-read on every prompts
// request, so a test can change a definition while the server runs); prompts/get answers one
// user message naming the prompt and its arguments. Resources: the file's "resources" (a count,
// re-read on every request) as changing://item/<i>, listed 50 per page; reading one answers
// "item <i>". Completion: any prompt argument completes to "<value>-done".
// Usage: node changing_server.mjs STATE.json
import { readFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const state = JSON.parse(readFileSync(process.argv[2], "utf8"));
const server = new Server(
  { name: "changing", version: String(state.version ?? 1) },
  { capabilities: { tools: {}, prompts: {}, resources: {}, completions: {} } },
);
const current = () => JSON.parse(readFileSync(process.argv[2], "utf8"));
const prompts = () => current().prompts ?? [];

server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: state.tools }));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const { name, arguments: args } = request.params;
  if (name === "exit") process.exit(7);
  if (!state.tools.some((t) => t.name === name)) {
    return { content: [{ type: "text", text: `unknown tool ${name}` }], isError: true };
  }
  return { content: [{ type: "text", text: `${name}: value of ${args?.key}` }] };
});

server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: prompts() }));

server.setRequestHandler(GetPromptRequestSchema, async (request) => {
  const { name, arguments: args } = request.params;
  if (!prompts().some((p) => p.name === name)) throw new Error(`unknown prompt ${name}`);
  const text = `prompt ${name} with ${JSON.stringify(args ?? {})}`;
  return { messages: [{ role: "user", content: { type: "text", text } }] };
});

server.setRequestHandler(CompleteRequestSchema, async (request) => ({
  completion: { values: [`${request.params.argument.value}-done`], hasMore: false },
}));

server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
  const count = current().resources ?? 0;
  const from = Number(request.params?.cursor ?? 0);
  const resources = [];
  for (let i = from; i < Math.min(count, from + 50); ++i) {
    resources.push({ uri: `changing://item/${i}`, name: `item ${i}`, mimeType: "text/plain" });
  }
  return from + 50 < count ? { resources, nextCursor: String(from + 50) } : { resources };
});

server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
  const m = /^changing:\/\/item\/(\d+)$/.exec(request.params.uri);
  if (!m || Number(m[1]) >= (current().resources ?? 0)) {
    throw new McpError(ErrorCode.InvalidParams, `no resource ${request.params.uri}`);
  }
  return { contents: [{ uri: request.params.uri, mimeType: "text/plain", text: `item ${m[1]}` }] };
});

await server.connect(new StdioServerTransport());
