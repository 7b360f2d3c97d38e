// The official `openai` npm client (pinned in package-lock.json) against Ward's proxy, which
// forwards to the fake OpenAI upstream. Run by tests/integration/models_test.py --openai-client
// with WARD_BASE (http://127.0.0.1:PORT), WARD_KEY (a granted principal's key) and
// WARD_BOB_KEY (a principal without grants). Prints ok/FAIL lines; exit 1 on any failure.
import OpenAI from "openai";

let failed = 0;
let passed = 0;
function check(name, cond, detail) {
  if (cond) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name} ${detail === undefined ? "" : JSON.stringify(detail).slice(0, 1500)}`);
  }
}
async function group(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(`${name} ran`, false, String(e && e.stack ? e.stack : e));
  }
}
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
    check(prefix + " .stream() assembles two parallel tool calls (its invariants hold)",
          JSON.stringify(calls) === JSON.stringify([["call_a", "get_weather", '{"city":"Paris"}'],
                                                    ["call_b", "get_time", '{"tz":"CET"}']]) &&
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
for (const prefix of ["m-", "a-"]) await swapSuite(prefix);

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

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
