// The Prompt block “Screen the candidate” as a promptfoo prompt function: the messages
// Chainboard sends, with the case's values in the {{placeholders}}.
const SYSTEM = "You screen applications for a Senior Backend Engineer role. The only requirement is at least 5 years of backend experience. Start your answer with Advance or Reject, then give one sentence why. Judge skills and experience only.";
const USER = "{{application}}";

function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? String(values[name] ?? "") : "{{"));
}

export default function ({ vars }) {
  const messages = SYSTEM.trim() ? [{ role: "system", content: render(SYSTEM, vars) }] : [];
  return [...messages, { role: "user", content: render(USER, vars) }];
}
