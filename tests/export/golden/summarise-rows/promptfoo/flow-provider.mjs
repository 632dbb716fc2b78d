// Runs the whole exported flow (main.mjs) for each promptfoo test case and answers with
// the Output block the checks read.
import { runFlow } from "./main.mjs";

const TARGET = "Summaries";

export default class ChainboardFlow {
  id() {
    return "chainboard-flow";
  }

  async callApi(_prompt, { vars }) {
    const outputs = await runFlow({ rows: vars["rows"] ?? "customer,plan,feedback\nAna Silva,Pro,\"The new dashboard is fast, but exporting to PDF fails every time I try.\"\nBen Okafor,Free,Support answered within minutes and fixed my billing issue. Great service.\nChloe Martin,Team,\"I can't find the dark mode setting anymore; please bring it back.\"\nDev Patel,Pro,The mobile app crashes when I upload a photo larger than 10 MB.\nEmma Rossi,Team,\"Love the new templates, but sharing a flow with my team is confusing.\"\n" });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "" };
  }
}
