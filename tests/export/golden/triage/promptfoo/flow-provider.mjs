// Runs the whole exported flow (main.mjs) for each promptfoo test case and answers with
// the Output block the checks read.
import { runFlow } from "./main.mjs";

const TARGET = "Reply";

export default class ChainboardFlow {
  id() {
    return "chainboard-flow";
  }

  async callApi(_prompt, { vars }) {
    const outputs = await runFlow({ request: vars["request"] ?? "Hi, I was charged twice for my subscription this month. Can you refund the extra payment?" });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "(skipped: the branch that leads here was not taken)" };
  }
}
