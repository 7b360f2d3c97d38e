// The OpenAI Agents SDK (`@openai/agents`, pinned in package-lock.json) against Ward's proxy: an
// agent with one function tool runs to its final output over Chat Completions (run and stream)
// and over the Responses API, on every upstream dialect. Run by tests/integration/models_test.py
// --openai-client with WARD_BASE and WARD_KEY. Prints ok/FAIL lines; exit 1 on any failure.
import { Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, run, setTracingDisabled, tool }
  from "@openai/agents";
import OpenAI from "openai";
import { z } from "zod";
import { check, finish, group } from "./tally.mjs";

setTracingDisabled(true);  // nothing leaves loopback: no trace export to OpenAI
const client = new OpenAI({ baseURL: process.env.WARD_BASE + "/v1", apiKey: process.env.WARD_KEY });
const calls = [];
const getWeather = tool({
  name: "get_weather",
  description: "The weather in a city",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    calls.push(city);
    return `sunny in ${city}`;
  },
});
function agentOn(model) {
  // Ward keeps no provider state: store false (Ward refuses store: true, naming it).
  return new Agent({ name: "weather", instructions: "Answer with the weather.", tools: [getWeather],
                     model, modelSettings: { store: false } });
}

for (const prefix of ["m-", "a-", "g-", "r-"]) {
  await group(`agents chat ${prefix}`, async () => {
    calls.length = 0;
    const result = await run(agentOn(new OpenAIChatCompletionsModel(client, prefix + "tool")),
                             "weather in Paris?");
    check(`agents chat ${prefix}: the agent calls the tool and ends in the model's text`,
          result.finalOutput === "The tool said: sunny in Paris" &&
            JSON.stringify(calls) === '["Paris"]', { out: result.finalOutput, calls });
  });
  await group(`agents chat stream ${prefix}`, async () => {
    calls.length = 0;
    const result = await run(agentOn(new OpenAIChatCompletionsModel(client, prefix + "tool")),
                             "weather in Paris?", { stream: true });
    await result.completed;
    check(`agents chat stream ${prefix}: streamed, the same loop`,
          result.finalOutput === "The tool said: sunny in Paris" &&
            JSON.stringify(calls) === '["Paris"]', { out: result.finalOutput, calls });
  });
  await group(`agents responses ${prefix}`, async () => {
    calls.length = 0;
    const result = await run(agentOn(new OpenAIResponsesModel(client, prefix + "tool")),
                             "weather in Paris?");
    check(`agents responses ${prefix}: the agent loop over /v1/responses`,
          result.finalOutput === "The tool said: sunny in Paris" &&
            JSON.stringify(calls) === '["Paris"]', { out: result.finalOutput, calls });
  });
}

finish();
