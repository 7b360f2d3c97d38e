// The official `openai` npm client (pinned in package-lock.json) against Ward's proxy, which
// forwards to the fake OpenAI upstream. Run by tests/integration/models_test.py --openai-client
// with WARD_BASE (http://127.0.0.1:PORT), WARD_KEY (a granted principal's key) and
// WARD_BOB_KEY (a principal without grants). Prints ok/FAIL lines; exit 1 on any failure.
import net from "node:net";
import OpenAI from "openai";
import { check, finish, group } from "./tally.mjs";

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e;
  }
}

const base = process.env.WARD_BASE + "/v1";
const client = new OpenAI({ baseURL: base, apiKey: process.env.WARD_KEY, maxRetries: 0 });
const user = (content) => [{ role: "user", content }];

// The same suite against every dialect: only the model name's prefix changes ("m-" is served
// by the openai adapter, "a-" by the anthropic one, over the same fake scenarios).
async function swapSuite(prefix) {
  await group(prefix + " create", async () => {
    const r = await client.chat.completions.create({ model: prefix + "text", messages: user("Hi") });
    check(prefix + " chat.completions.create", r.choices[0].message.content === "Hello from the fake." &&
          r.usage.prompt_tokens === 12, r);
  });

  await group(prefix + " create stream", async () => {
    const stream = await client.chat.completions.create({
      model: prefix + "text", messages: user("Hi"), stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage = null;
    for await (const chunk of stream) {
      if (chunk.choices.length) text += chunk.choices[0].delta.content || "";
      if (chunk.usage) usage = chunk.usage;
    }
    check(prefix + " create({stream:true}) yields the text and the usage chunk",
          text === "Hello from the fake." && usage && usage.prompt_tokens === 12, { text, usage });
  });

  await group(prefix + " .stream()", async () => {
    const runner = client.chat.completions.stream({
      model: prefix + "tools2", messages: user("weather and time?"),
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } },
              { type: "function", function: { name: "get_time", parameters: { type: "object" } } }] });
    const done = [];
    runner.on("tool_calls.function.arguments.done", (e) => done.push([e.name, e.arguments]));
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0].message.tool_calls.map((c) => [c.id, c.function.name,
                                                                   c.function.arguments]);
    // Every id is Ward's: "call_w-" + base64url of the provider's (Gemini's calls have none:
    // one is minted for them first).
    const wardId = (id) => "call_w-" + Buffer.from(id).toString("base64url");
    const ids = prefix === "g-" ? calls.map((c) => (/^call_w-[A-Za-z0-9_-]+$/.test(c[0]) ? "ward" : c[0]))
                                : calls.map((c) => c[0]);
    const want = prefix === "g-" ? ["ward", "ward"] : [wardId("call_a"), wardId("call_b")];
    check(prefix + " .stream() assembles two parallel tool calls (its invariants hold)",
          JSON.stringify(ids) === JSON.stringify(want) &&
          JSON.stringify(calls.map((c) => c.slice(1))) ===
            JSON.stringify([["get_weather", '{"city":"Paris"}'], ["get_time", '{"tz":"CET"}']]) &&
          final.choices[0].finish_reason === "tool_calls" && done.length === 2, { calls, done });
    const text = await client.chat.completions.stream({ model: prefix + "text", messages: user("Hi") })
      .finalContent();
    check(prefix + " .stream().finalContent()", text === "Hello from the fake.", text);
  });

  await group(prefix + " runTools", async () => {
    const runner = client.chat.completions.runTools({
      model: prefix + "tool", messages: user("weather in Paris?"),
      tools: [{ type: "function", function: {
        name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } },
        parse: JSON.parse, function: async ({ city }) => `sunny in ${city}` } }] });
    const content = await runner.finalContent();
    check(prefix + " runTools: the client runs the tool and the loop ends in text",
          content === "The tool said: sunny in Paris", content);
  });
}
// The Responses front door (openai.responses.create) over every upstream dialect.
async function responsesSuite(prefix) {
  await group(prefix + " responses.create", async () => {
    const r = await client.responses.create({ model: prefix + "text", input: "Hi",
                                              instructions: "be brief" });
    check(prefix + " responses.create: output_text and usage", r.object === "response" &&
          r.output_text === "Hello from the fake." && r.usage.input_tokens === 12 &&
          r.usage.input_tokens_details.cached_tokens === 2, r);
  });
  await group(prefix + " responses.create stream", async () => {
    const stream = await client.responses.create({ model: prefix + "text", input: "Hi",
                                                   stream: true });
    let text = "";
    let completed = null;
    let seq = -1;
    let ordered = true;
    for await (const e of stream) {
      ordered = ordered && e.sequence_number === seq + 1;
      seq = e.sequence_number;
      if (e.type === "response.output_text.delta") text += e.delta;
      if (e.type === "response.completed") completed = e.response;
    }
    check(prefix + " responses.create({stream:true}): deltas, then completed with usage",
          ordered && text === "Hello from the fake." && completed &&
          completed.usage.input_tokens === 12 && completed.output[0].content[0].text === text,
          { text, completed });
  });
  await group(prefix + " responses tool loop", async () => {
    const tools = [{ type: "function", name: "get_weather",
                     parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const first = await client.responses.create({ model: prefix + "tool", input: "weather?", tools });
    const calls = first.output.filter((o) => o.type === "function_call");
    check(prefix + " responses: a function_call item with call_id and arguments",
          calls.length === 1 && calls[0].name === "get_weather" && calls[0].call_id &&
          JSON.parse(calls[0].arguments).city === "Paris", first);
    const input = [{ role: "user", content: "weather?" }, ...first.output,
                   { type: "function_call_output", call_id: calls[0] && calls[0].call_id, output: "sunny" }];
    const second = await client.responses.create({ model: prefix + "tool", input, tools });
    check(prefix + " responses: function_call_output continues the loop",
          second.output_text === "The tool said: sunny", second);
  });
}
for (const prefix of ["m-", "a-", "g-", "r-"]) await swapSuite(prefix);
for (const prefix of ["m-", "a-", "g-", "r-"]) await responsesSuite(prefix);

await group("embeddings", async () => {
  for (const model of ["e-openai", "e-gemini"]) {
    // The client asks for base64 by default and decodes it to numbers.
    const r = await client.embeddings.create({ model, input: ["hello", "abc"] });
    check(`embeddings.create over ${model} (default base64, decoded)`,
          JSON.stringify(r.data.map((d) => Array.from(d.embedding))) ===
            JSON.stringify([[5, 0.5, -1.25], [3, 0.5, -1.25]]), r);
    const f = await client.embeddings.create({ model, input: "hello", encoding_format: "float" });
    check(`embeddings.create over ${model} (float)`,
          JSON.stringify(f.data[0].embedding) === JSON.stringify([5, 0.5, -1.25]), f);
  }
});

await group("responses errors", async () => {
  const e = await errorOf(client.responses.create({ model: "m-text", input: "x", store: true }));
  check("responses: store:true is a BadRequestError naming it (Ward keeps no provider state)",
        e instanceof OpenAI.BadRequestError && /'store'/.test(e.message), String(e));
  const e2 = await errorOf((async () => {
    const s = await client.responses.create({ model: "m-midstream", input: "x", stream: true });
    for await (const _ of s) { /* drain */ }
  })());
  check("responses: a mid-stream provider error throws from the stream",
        e2 instanceof OpenAI.APIError, String(e2));
});

await group("models.list", async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  check("models.list shows granted models only", ids.includes("m-text") &&
        !ids.includes("m-secret"), ids);
  const bob = new OpenAI({ baseURL: base, apiKey: process.env.WARD_BOB_KEY, maxRetries: 0 });
  const none = [];
  for await (const m of bob.models.list()) none.push(m.id);
  check("models.list is empty without grants", none.length === 0, none);
});

// Streams keep their connection: three streamed completions and a plain one through a relay
// that reads Ward's response heads. Ward ends a stream with its last chunk and reads the next
// request on the same connection, so no response says `Connection: close` (before, every stream
// did and the client opened a new connection for the next call). This client stops reading at
// `[DONE]` and cancels the body, so it may itself drop a connection whose end had not arrived
// with `[DONE]`; the connections it opened are shown, not checked.
await group("streams over one connection", async () => {
  const ward = new URL(process.env.WARD_BASE);
  let connections = 0;
  let fromWard = "";
  const relay = net.createServer((inbound) => {
    connections++;
    const outbound = net.connect(Number(ward.port), ward.hostname);
    outbound.on("data", (d) => { fromWard += d.toString("latin1"); });
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  await new Promise((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const relayed = new OpenAI({ baseURL: `http://127.0.0.1:${relay.address().port}/v1`,
                               apiKey: process.env.WARD_KEY, maxRetries: 0 });
  const texts = [];
  for (let i = 0; i < 3; i++) {
    const stream = await relayed.chat.completions.create({
      model: "m-text", messages: user("Hi"), stream: true });
    let text = "";
    for await (const chunk of stream) if (chunk.choices.length) text += chunk.choices[0].delta.content || "";
    texts.push(text);
  }
  const plain = await relayed.chat.completions.create({ model: "m-text", messages: user("Hi") });
  texts.push(plain.choices[0].message.content);
  relay.close();
  const heads = fromWard.split("HTTP/1.1 ").length - 1;
  const closing = (fromWard.match(/\r\nconnection: *close\r\n/gi) || []).length;
  check("no response to three streams and a plain completion closes its connection",
        heads === 4 && closing === 0 && texts.every((t) => t === "Hello from the fake."),
        { heads, closing, connections, texts });
});

await group("errors", async () => {
  let e = await errorOf(client.chat.completions.create({ model: "m-secret", messages: user("x") }));
  check("an ungranted model throws NotFoundError", e instanceof OpenAI.NotFoundError &&
        e.status === 404 && /may not use it/.test(e.message), String(e));
  const bad = new OpenAI({ baseURL: base, apiKey: "wk_not_a_key", maxRetries: 0 });
  e = await errorOf(bad.chat.completions.create({ model: "m-text", messages: user("x") }));
  check("a bad key throws AuthenticationError", e instanceof OpenAI.AuthenticationError, String(e));
  e = await errorOf(client.chat.completions.create({ model: "m-quota", messages: user("x") }));
  check("a spend-limit 429 throws RateLimitError", e instanceof OpenAI.RateLimitError &&
        e.type === "rate_limit_error", String(e));
  e = await errorOf(client.chat.completions.create({ model: "m-text", messages: [] }));
  check("bad input throws BadRequestError naming the field",
        e instanceof OpenAI.BadRequestError && /messages/.test(e.message), String(e));
  e = await errorOf((async () => {
    const s = await client.chat.completions.create({ model: "m-midstream", messages: user("x"),
                                                      stream: true });
    for await (const _ of s) { /* drain */ }
  })());
  check("a mid-stream provider error throws APIError from the stream",
        e instanceof OpenAI.APIError, String(e));
});

finish();
