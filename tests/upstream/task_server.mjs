// An MCP server with task-capable tools (official SDK 1.x, 2025-11-25 tasks: `task` on
// tools/call, tasks/get, tasks/result, tasks/cancel), put behind Ward as an upstream by
// tests/integration/upstream_tasks_test.py. Tools:
// - report {topic, steps} (taskSupport optional): a slow job of `steps` steps (50 ms each), then
//   {content: "report on <topic>", structuredContent: {topic, steps, api_token}}; api_token is a
//   secret Ward must redact.
// - hold {label} (taskSupport required): never ends on its own; only a cancel ends it.
// - broken_job {} (optional): the task ends "failed" with an error result.
// - vanishing_job {} (optional): the server forgets the task at once (tasks/get: not found).
// - asking_job {} (optional): the task moves to input_required (it wants the user's input).
// - task_states {} (a plain tool): {"<label or tool>": status} of every task the server holds,
//   so a test can see that a cancel reached the upstream.
// Usage: node task_server.mjs stdio | node task_server.mjs http PORT (prints "listening").
import { randomUUID } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { InMemoryTaskStore } from "@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js";
import { z } from "zod";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The SDK's store, except that a dropped task is forgotten (as a server that lost it).
class DroppingTaskStore extends InMemoryTaskStore {
  constructor() {
    super();
    this.dropped = new Set();
    this.labels = new Map();
  }
  async getTask(taskId, sessionId) {
    return this.dropped.has(taskId) ? null : super.getTask(taskId, sessionId);
  }
}

function buildServer(store) {
  const server = new McpServer(
    { name: "task-server", version: "1.0.0" },
    {
      capabilities: {
        tools: {},
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      taskStore: store,
    },
  );
  const make = (label, run) => ({
    createTask: async (args, extra) => {
      const task = await extra.taskStore.createTask({ ttl: extra.taskRequestedTtl, pollInterval: 100 });
      store.labels.set(task.taskId, label(args));
      run(task.taskId, args, extra.taskStore).catch(() => {});
      return { task };
    },
    getTask: async (_args, extra) => extra.taskStore.getTask(extra.taskId),
    getTaskResult: async (_args, extra) => extra.taskStore.getTaskResult(extra.taskId),
  });
  server.experimental.tasks.registerToolTask(
    "report",
    {
      description: "Writes a report, slowly",
      inputSchema: { topic: z.string(), steps: z.number().int().min(0).max(50) },
      execution: { taskSupport: "optional" },
    },
    make((a) => `report:${a.topic}`, async (id, args, ts) => {
      for (let i = 0; i < args.steps; i++) {
        await sleep(50);
        if ((await ts.getTask(id))?.status !== "working") return;
        await ts.updateTaskStatus(id, "working", `step ${i + 1} of ${args.steps}`);
      }
      await ts.storeTaskResult(id, "completed", {
        content: [{ type: "text", text: `report on ${args.topic}` }],
        structuredContent: { topic: args.topic, steps: args.steps, api_token: "upstream-secret-7f3a9c" },
      });
    }),
  );
  server.experimental.tasks.registerToolTask(
    "hold",
    {
      description: "Holds until cancelled",
      inputSchema: { label: z.string() },
      execution: { taskSupport: "required" },
    },
    make((a) => `hold:${a.label}`, async () => {}),
  );
  server.experimental.tasks.registerToolTask(
    "broken_job",
    { description: "Fails", inputSchema: {}, execution: { taskSupport: "optional" } },
    make(() => "broken_job", async (id, _a, ts) => {
      await sleep(50);
      await ts.storeTaskResult(id, "failed", {
        content: [{ type: "text", text: "the disk is on fire" }],
        isError: true,
      });
    }),
  );
  server.experimental.tasks.registerToolTask(
    "vanishing_job",
    { description: "Is forgotten", inputSchema: {}, execution: { taskSupport: "optional" } },
    make(() => "vanishing_job", async (id) => {
      store.dropped.add(id);
    }),
  );
  server.experimental.tasks.registerToolTask(
    "asking_job",
    { description: "Wants input", inputSchema: {}, execution: { taskSupport: "optional" } },
    make(() => "asking_job", async (id, _a, ts) => {
      await ts.updateTaskStatus(id, "input_required", "which one?");
    }),
  );
  server.registerTool(
    "task_states",
    { description: "Statuses of the server's tasks", inputSchema: {} },
    async () => {
      const states = {};
      for (const [id, label] of store.labels) {
        const t = await InMemoryTaskStore.prototype.getTask.call(store, id);
        states[label] = store.dropped.has(id) ? "dropped" : (t?.status ?? "gone");
      }
      return { content: [{ type: "text", text: JSON.stringify(states) }], structuredContent: { states } };
    },
  );
  return server;
}

const store = new DroppingTaskStore();
if (process.argv[2] === "http") {
  const transports = new Map();
  const http = createHttpServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    let transport = transports.get(req.headers["mcp-session-id"]);
    if (!transport) {
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => transports.set(sid, transport),
      });
      await buildServer(store).connect(transport);
    }
    await transport.handleRequest(req, res, body);
  });
  http.listen(Number(process.argv[3]), "127.0.0.1", () => console.error("listening"));
} else {
  await buildServer(store).connect(new StdioServerTransport());
}
