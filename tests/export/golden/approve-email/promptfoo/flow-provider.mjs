// Runs the whole exported flow (main.mjs) for each promptfoo test case and answers with
// the Output block the checks read.
import { runFlow } from "./main.mjs";

const TARGET = "Email to send";

export default class ChainboardFlow {
  id() {
    return "chainboard-flow";
  }

  async callApi(_prompt, { vars }) {
    const outputs = await runFlow({ recipient: vars["recipient"] ?? "Ana Ruiz", points: vars["points"] ?? "Her order 4821 ships on Monday, not Friday. Offer free express shipping on her next order as an apology." });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "(skipped: the branch that leads here was not taken)" };
  }
}
