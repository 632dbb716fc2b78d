// The Prompt block “Classify” as a promptfoo prompt function: the messages
// Chainboard sends, with the case's values in the {{placeholders}}.
const SYSTEM = "You classify customer feedback.";
const USER = "Classify the sentiment of this review as positive, neutral or negative. Answer as JSON: {\"sentiment\": ..., \"reason\": ...}.\n\n{{review}}";

function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? String(values[name] ?? "") : "{{"));
}

export default function ({ vars }) {
  const messages = SYSTEM.trim() ? [{ role: "system", content: render(SYSTEM, vars) }] : [];
  return [...messages, { role: "user", content: render(USER, vars) }];
}
