// The Prompt block “Extract” as a promptfoo prompt function: the messages
// Chainboard sends, with the case's values in the {{placeholders}}.
const SYSTEM = "You extract fields from customer emails. Use only what the email says.";
const USER = "Extract the order number, the issue and whether it is urgent:\n\n{{email}}";

function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? String(values[name] ?? "") : "{{"));
}

export default function ({ vars }) {
  const messages = SYSTEM.trim() ? [{ role: "system", content: render(SYSTEM, vars) }] : [];
  return [...messages, { role: "user", content: render(USER, vars) }];
}
