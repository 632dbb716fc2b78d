// Runs the whole exported flow (main.mjs) for each promptfoo test case and answers with
// the Output block the checks read.
import { runFlow } from "./main.mjs";

const TARGET = "Category";

export default class ChainboardFlow {
  id() {
    return "chainboard-flow";
  }

  async callApi(_prompt, { vars }) {
    const outputs = await runFlow({ photo: vars["photo"] ?? "product-photo.jpg" });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "" };
  }
}
