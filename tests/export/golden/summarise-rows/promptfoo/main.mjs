// Summarise every row of a list: exported from Chainboard.
// One line per row of customer feedback.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Paste your own rows (CSV with a header, one item per line, or a JSON array). Watch the progress on …
// TODO: “Summarise each row” is a For each item block, which this exporter cannot write yet: its outputs ar…

import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

// Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? values[name] : "{{"));
}

// TODO: “Summarise each row” is a For each item block, which the exporter cannot write yet.
async function summariseEachRow(list_) {
  return "";
}

export async function runFlow({ rows }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const summariseEachRowResults = await summariseEachRow(rows);
  return [
    { output: "Summaries", answer: summariseEachRowResults },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "rows": { type: "string", default: (
          "customer,plan,feedback\n" +
          "Ana Silva,Pro,\"The new dashboard is fast, but exporting to PDF fails every time I try.\"\n" +
          "Ben Okafor,Free,Support answered within minutes and fixed my billing issue. Great service.\n" +
          "Chloe Martin,Team,\"I can't find the dark mode setting anymore; please bring it back.\"\n" +
          "Dev Patel,Pro,The mobile app crashes when I upload a photo larger than 10 MB.\n" +
          "Emma Rossi,Team,\"Love the new templates, but sharing a flow with my team is confusing.\"\n"
      ) },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--rows TEXT] [--json]");
    process.exit(0);
  }
  const outputs = await runFlow({ rows: args["rows"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
