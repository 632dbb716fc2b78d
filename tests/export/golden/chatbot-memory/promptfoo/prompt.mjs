// The Prompt block “Shop assistant” as a promptfoo prompt function: the messages
// Chainboard sends, with the case's values in the {{placeholders}}.
const SYSTEM = "You are Sam, the friendly assistant of an online running shop. Answer in two or three short sentences, remember what the customer told you earlier, and ask for an order number before promising anything.";
const USER = "{{message}}";

function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? String(values[name] ?? "") : "{{"));
}

export default function ({ vars }) {
  const messages = SYSTEM.trim() ? [{ role: "system", content: render(SYSTEM, vars) }] : [];
  return [...messages, { role: "user", content: render(USER, vars) }];
}
