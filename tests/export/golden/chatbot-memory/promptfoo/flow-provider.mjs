// Runs the whole exported flow (main.mjs) for each promptfoo test case and answers with
// the Output block the checks read.
import { runFlow } from "./main.mjs";

const TARGET = "Reply";

export default class ChainboardFlow {
  id() {
    return "chainboard-flow";
  }

  async callApi(_prompt, { vars }) {
    const outputs = await runFlow({ message: vars["message"] ?? "Hi! I ordered running shoes last week.", history: JSON.parse(vars.__history ?? "[]") });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "" };
  }
}
