// Runs the whole exported flow (main.ts) for each promptfoo test case and answers with
// the Output block the checks read. promptfoo loads TypeScript providers with tsx.
import { runFlow } from "./main.ts";

const TARGET = "Summaries";

// A test case's variables, by name.
type Vars = Record<string, string | undefined>;

export default class ChainboardFlow {
  id(): string {
    return "chainboard-flow";
  }

  async callApi(_prompt: string, { vars }: { vars: Vars }): Promise<{ output: string }> {
    const outputs = await runFlow({ rows: vars["rows"] ?? "customer,plan,feedback\nAna Silva,Pro,\"The new dashboard is fast, but exporting to PDF fails every time I try.\"\nBen Okafor,Free,Support answered within minutes and fixed my billing issue. Great service.\nChloe Martin,Team,\"I can't find the dark mode setting anymore; please bring it back.\"\nDev Patel,Pro,The mobile app crashes when I upload a photo larger than 10 MB.\nEmma Rossi,Team,\"Love the new templates, but sharing a flow with my team is confusing.\"\n" });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "" };
  }
}
