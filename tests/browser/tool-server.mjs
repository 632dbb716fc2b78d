// A small HTTP API on 127.0.0.1 for the browser tests: order lookups for HTTP tools, with a
// log of every request it received (so a test can prove nothing was sent before the user
// approved the host), and Anthropic's Message Batches endpoints (aimock has OpenAI's only).
// /hostile answers with the XSS payloads, for a tool result that is hostile text;
// /__requests lists every request with its headers and body, for the key-leak tests.
import { createServer } from "node:http";
import { PAYLOADS } from "./hostile-payloads.js";

const port = Number(process.argv[2] || 4011);
const orders = {
  A123: { order: "A123", status: "shipped", delivery: "Thursday" },
  B456: { order: "B456", status: "delayed", delivery: "next week" },
};
const log = [];
const requests = [];
const batches = new Map();
const readBody = (req) => new Promise((resolve) => { let b = ""; req.on("data", (c) => (b += c)); req.on("end", () => resolve(b)); });
const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
};

createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/__log") {
    res.writeHead(200, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify(log));
    return;
  }
  if (url.pathname === "/__requests") {
    res.writeHead(200, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify(requests));
    return;
  }
  if (url.pathname === "/__reset") {
    log.length = 0;
    requests.length = 0;
    res.writeHead(204, cors);
    res.end();
    return;
  }
  if (req.method === "OPTIONS") {
    res.writeHead(204, cors);
    res.end();
    return;
  }
  const entry = { method: req.method, url: req.url, headers: req.headers, body: "" };
  requests.push(entry);
  req.on("data", (c) => (entry.body += c));
  if (url.pathname === "/hostile") {
    log.push({ method: req.method, path: url.pathname });
    res.writeHead(200, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify({ data: PAYLOADS.join("\n\n") }));
    return;
  }
  if (url.pathname.startsWith("/v1/messages/batches")) {
    anthropicBatches(req, res, url);
    return;
  }
  log.push({ method: req.method, path: url.pathname });
  const match = url.pathname.match(/^\/orders\/([^/]+)$/);
  const order = match && orders[decodeURIComponent(match[1]).toUpperCase()];
  if (order) {
    res.writeHead(200, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify({ data: order }));
  } else {
    res.writeHead(404, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify({ error: "no such order" }));
  }
}).listen(port, "127.0.0.1", () => console.log(`tool server on http://127.0.0.1:${port}/`));

// Anthropic Message Batches: created in_progress; ended on the second status request.
async function anthropicBatches(req, res, url) {
  const json = (status, body) => { res.writeHead(status, { "content-type": "application/json", ...cors }); res.end(JSON.stringify(body)); };
  if (!req.headers["x-api-key"]) return json(401, { type: "error", error: { type: "authentication_error", message: "x-api-key header is required" } });
  const counts = (b, ended) => ({ processing: ended ? 0 : b.requests.length, succeeded: ended ? b.requests.length : 0, errored: 0, canceled: 0, expired: 0 });
  const view = (b) => ({
    id: b.id, type: "message_batch", processing_status: b.polls >= 2 ? "ended" : "in_progress",
    request_counts: counts(b, b.polls >= 2), results_url: b.polls >= 2 ? `http://127.0.0.1:${port}/v1/messages/batches/${b.id}/results` : null,
  });
  const parts = url.pathname.split("/").filter(Boolean); // v1 messages batches [id] [results]
  if (req.method === "POST" && parts.length === 3) {
    const body = JSON.parse(await readBody(req));
    const b = { id: `msgbatch_test_${batches.size + 1}`, requests: body.requests, polls: 0 };
    batches.set(b.id, b);
    return json(200, view(b));
  }
  const b = batches.get(parts[3]);
  if (!b) return json(404, { type: "error", error: { type: "not_found_error", message: "No such batch" } });
  if (parts[4] === "results") {
    res.writeHead(200, { "content-type": "application/x-jsonl", ...cors });
    res.end(b.requests.map((r) => {
      const last = r.params.messages[r.params.messages.length - 1].content;
      const text = `Batch answer to: ${typeof last === "string" ? last.split("\n").pop() : "?"}`;
      return JSON.stringify({ custom_id: r.custom_id, result: { type: "succeeded", message: { id: "msg", type: "message", role: "assistant", content: [{ type: "text", text }], usage: { input_tokens: 10, output_tokens: 5 } } } });
    }).join("\n") + "\n");
    return;
  }
  b.polls += 1;
  return json(200, view(b));
}
