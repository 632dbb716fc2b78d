// Runs the whole exported flow (main.mjs) for each promptfoo test case and answers with
// the Output block the checks read.
import { runFlow } from "./main.mjs";

const TARGET = "Reply";

export default class ChainboardFlow {
  id() {
    return "chainboard-flow";
  }

  async callApi(_prompt, { vars }) {
    const outputs = await runFlow({ message: vars["message"] ?? "Hi, please change my card to 4111 1111 1111 1111 and confirm to ana.ruiz@example.com." });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "(skipped: the branch that leads here was not taken)" };
  }
}
