// Runs the whole exported flow (main.ts) for each promptfoo test case and answers with
// the Output block the checks read. promptfoo loads TypeScript providers with tsx.
import { runFlow } from "./main.ts";

const TARGET = "Draft";

// A test case's variables, by name.
type Vars = Record<string, string | undefined>;

export default class ChainboardFlow {
  id(): string {
    return "chainboard-flow";
  }

  async callApi(_prompt: string, { vars }: { vars: Vars }): Promise<{ output: string }> {
    const outputs = await runFlow({ brief: vars["brief"] ?? "Announce that dark mode is now available in the mobile app." });
    const answer = outputs.find((o) => o.output === TARGET) ?? outputs[0];
    return { output: answer?.answer ?? "" };
  }
}
