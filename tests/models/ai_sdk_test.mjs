// The Vercel AI SDK (`ai` + `@ai-sdk/openai`, pinned in package-lock.json) against Ward's proxy:
// `provider.chat(id)` speaks Chat Completions, `provider(id)` the Responses API (/v1/responses).
// Run by tests/integration/models_test.py --openai-client with WARD_BASE and WARD_KEY. Prints
// ok/FAIL lines; exit 1 on any failure.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { check, finish, group } from "./tally.mjs";

const provider = createOpenAI({ baseURL: process.env.WARD_BASE + "/v1", apiKey: process.env.WARD_KEY });
// Ward keeps no provider state: the Responses path says store: false, so the SDK sends whole
// items instead of item_reference (which Ward refuses, naming it).
const stateless = { openai: { store: false } };
const weather = tool({
  description: "The weather in a city",
  inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } },
                            required: ["city"], additionalProperties: false }),
  execute: async ({ city }) => `sunny in ${city}`,
});

for (const prefix of ["m-", "a-", "g-", "r-"]) {
  for (const [api, model] of [["chat", (id) => provider.chat(id)], ["responses", (id) => provider(id)]]) {
    const who = `ai-sdk ${api} ${prefix}`;
    await group(who + " generateText", async () => {
      const r = await generateText({ model: model(prefix + "text"), prompt: "Hi", maxRetries: 0, providerOptions: stateless });
      check(who + " generateText", r.text === "Hello from the fake." && r.usage.inputTokens === 12,
            { text: r.text, usage: r.usage });
    });
    await group(who + " streamText", async () => {
      const r = streamText({ model: model(prefix + "text"), prompt: "Hi", maxRetries: 0, providerOptions: stateless });
      let text = "";
      for await (const piece of r.textStream) text += piece;
      check(who + " streamText", text === "Hello from the fake.", text);
    });
    await group(who + " tool loop", async () => {
      const r = await generateText({ model: model(prefix + "tool"), prompt: "weather in Paris?",
                                     tools: { get_weather: weather }, stopWhen: stepCountIs(3),
                                     maxRetries: 0, providerOptions: stateless });
      check(who + " tool loop: the SDK runs the tool and ends in text",
            r.text.includes("sunny in Paris") && r.steps.length === 2, { text: r.text });
    });
  }
}

finish();
