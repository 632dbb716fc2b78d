// The Prompt block “Rate urgency” as a promptfoo prompt function: the messages
// Chainboard sends, with the case's values in the {{placeholders}}.
const SYSTEM = "You triage support tickets. Answer with exactly one word: low, medium or high.";
const USER = "How urgent is this ticket?\n\n{{ticket}}";

function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? String(values[name] ?? "") : "{{"));
}

export default function ({ vars }) {
  const messages = SYSTEM.trim() ? [{ role: "system", content: render(SYSTEM, vars) }] : [];
  return [...messages, { role: "user", content: render(USER, vars) }];
}
