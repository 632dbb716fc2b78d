// A failing model provider on 127.0.0.1 for the browser tests (issue #9, "Failing providers").
// It speaks OpenAI Chat Completions streaming (SSE `data: {…}` chunks, then `data: [DONE]`),
// and the first path segment picks how it misbehaves:
//   http://127.0.0.1:<port>/<fault>/v1/chat/completions
// GET /<fault>/v1/models answers for `429-retry-after` only (the connection test).
// GET /__log lists the chat requests received per fault, with when each arrived and when its
// connection closed (ms since the epoch), so a test can count retries and measure the waits
// between them; GET /__reset clears the log and re-arms the one-shot faults.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  // Retry-After is not a CORS-safelisted response header: a page sees it only when exposed.
  "access-control-expose-headers": "retry-after",
  // One request per connection. A connection reset on a reused keep-alive socket makes the
  // browser resend the request by itself, which would count the network stack's retries in
  // the log as if they were the app's.
  connection: "close",
};

/** Requests received, per fault: { "500": [{ at, path, closed }, …] }. */
let log = {};
/** `429-retry-after` answers 429 once after each reset, then OK. */
let rateLimitArmed = true;

export const OK_TEXT = "Hello from the fault server: all is well.";
/** Streamed before the connection drops (`reset-mid`) or goes silent (`stall`). */
export const PARTIAL_TEXT = "The first words arrived before the trouble. ";
/** The `huge` answer's text pieces: ~10 MB on the wire once framed as SSE chunks. */
export function hugePieces() {
  const wire = 10 * 1024 * 1024;
  const piece = "All work and no play makes a very long answer. ".repeat(4);
  const pieces = [];
  for (let i = 0, sent = 0; sent < wire; i++) {
    pieces.push(`${i}: ${piece}\n`);
    sent += text(pieces.at(-1)).length;
  }
  pieces.push("END OF THE HUGE ANSWER.");
  return pieces;
}

const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-fault",
    object: "chat.completion.chunk",
    created: 1700000000,
    model: "fault-model",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
const text = (content) => chunk({ content });
const END = chunk({}, "stop") + "data: [DONE]\n\n";

/** An OpenAI-shaped error body (also for 529, which is Anthropic's "overloaded" status). */
function fail(res, status, message, type, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...cors, ...headers });
  res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

function startStream(res) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...cors });
}

/** Writes with backpressure; resolves false once the client has gone away. */
function write(res, data) {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}

const faults = {
  ok(req, res) {
    startStream(res);
    for (const word of OK_TEXT.split(/(?<= )/)) res.write(text(word));
    res.end(END);
  },
  // The first words after 1.2 s: the inspector shows that wait in seconds, not "1200 ms".
  "slow-first"(req, res) {
    startStream(res);
    setTimeout(() => {
      for (const word of OK_TEXT.split(/(?<= )/)) res.write(text(word));
      res.end(END);
    }, 1200);
  },
  "429-retry-after"(req, res) {
    if (rateLimitArmed) {
      rateLimitArmed = false;
      return fail(res, 429, "Rate limit reached for requests", "requests", { "retry-after": "1" });
    }
    return faults.ok(req, res);
  },
  "429"(req, res) {
    fail(res, 429, "Rate limit reached for requests", "requests");
  },
  "500"(req, res) {
    fail(res, 500, "The server had an error while processing your request.", "server_error");
  },
  "503"(req, res) {
    fail(res, 503, "The engine is currently overloaded, please try again later", "server_error");
  },
  "529"(req, res) {
    fail(res, 529, "Overloaded", "overloaded_error");
  },
  "reset-before"(req, res) {
    req.socket.destroy();
  },
  "reset-mid"(req, res) {
    startStream(res);
    res.write(text(PARTIAL_TEXT));
    res.write(text("And then the line went "));
    // Late enough that the browser has the chunks, early enough to end mid-answer.
    setTimeout(() => res.socket?.destroy(), 300);
  },
  malformed(req, res) {
    startStream(res);
    res.write(text("The first part is fine. "));
    res.write("this line is not SSE at all\n\n"); // a field-less line: SSE readers skip it
    res.write(": a comment line, also allowed\n\n");
    res.write(text("Still fine. "));
    res.write('data: {"choices":[{"index":0,"delta":{"content":"bro\n\n'); // invalid JSON
    res.write(text("Never shown. "));
    res.end(END);
  },
  stall(req, res) {
    startStream(res);
    res.write(text(PARTIAL_TEXT));
    // Then nothing, ever: the connection stays open until the client gives up.
  },
  async huge(req, res) {
    startStream(res);
    for (const piece of hugePieces()) {
      if (!(await write(res, text(piece)))) return;
    }
    res.end(END);
  },
};

const readBody = (req) => new Promise((resolve) => { req.on("data", () => {}); req.on("end", resolve); });

// The spec imports the texts above; only `node fault-provider.mjs <port>` starts a server.
if (import.meta.url === pathToFileURL(process.argv[1] || "").href) {
  const port = Number(process.argv[2] || 4013);
  createServer(serve).listen(port, "127.0.0.1", () => console.log(`fault provider on http://127.0.0.1:${port}/<fault>/v1`));
}

async function serve(req, res) {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/__log") {
    res.writeHead(200, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify(log));
    return;
  }
  if (url.pathname === "/__reset") {
    log = {};
    rateLimitArmed = true;
    res.writeHead(204, cors);
    res.end();
    return;
  }
  if (req.method === "OPTIONS") {
    res.writeHead(204, cors);
    res.end();
    return;
  }
  const [fault, ...rest] = url.pathname.split("/").filter(Boolean);
  // Settings' connection test lists the models: `429-retry-after` answers that with its one
  // 429 too, then with one model.
  if (fault === "429-retry-after" && req.method === "GET" && rest.join("/") === "v1/models") {
    (log[fault] ||= []).push({ at: Date.now(), path: url.pathname, closed: null });
    if (rateLimitArmed) {
      rateLimitArmed = false;
      return fail(res, 429, "Rate limit reached for requests", "requests", { "retry-after": "1" });
    }
    res.writeHead(200, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify({ object: "list", data: [{ id: "fault-model", object: "model" }] }));
    return;
  }
  const handler = Object.hasOwn(faults, fault) ? faults[fault] : null;
  if (!handler || req.method !== "POST" || rest.join("/") !== "v1/chat/completions") {
    res.writeHead(404, { "content-type": "application/json", ...cors });
    res.end(JSON.stringify({ error: { message: `No such fault or endpoint: ${url.pathname}`, type: "not_found" } }));
    return;
  }
  // `closed`: when the connection ended, so a test can tell that the app let go of it.
  const entry = { at: Date.now(), path: url.pathname, closed: null };
  (log[fault] ||= []).push(entry);
  res.on("close", () => (entry.closed = Date.now()));
  // Read the request first, so a reset or an answer never races the upload.
  await readBody(req);
  handler(req, res);
}
