// Serves the in-browser model tests' GGUF files on 127.0.0.1 (with CORS, HEAD and byte
// ranges, as a model host does), counts the requests for them (/__log, /__reset), and
// offers a truncated copy (/truncated.gguf) for the error path.
import { createServer } from "node:http";
import { open, stat } from "node:fs/promises";

const port = Number(process.argv[2] || 4012);
const MODEL = "target/models/SmolLM2-135M-Instruct.Q4_1.gguf";
const TRUNCATED_BYTES = 4 * 1024 * 1024;
const log = [];

createServer(async (req, res) => {
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-expose-headers": "content-length, content-range, accept-ranges, etag",
  };
  const path = new URL(req.url, "http://x").pathname;
  if (req.method === "OPTIONS") { res.writeHead(204, cors); res.end(); return; }
  if (path === "/__log") { res.writeHead(200, { "content-type": "application/json", ...cors }); res.end(JSON.stringify(log)); return; }
  if (path === "/__reset") { log.length = 0; res.writeHead(200, cors); res.end("[]"); return; }
  const truncated = path === "/truncated.gguf";
  if (!truncated && path !== "/SmolLM2-135M-Instruct.Q4_1.gguf") { res.writeHead(404, cors); res.end("not found"); return; }
  log.push({ method: req.method, path, range: req.headers.range || null });
  let size;
  try { size = (await stat(MODEL)).size; } catch { res.writeHead(500, cors); res.end("model file missing: run scripts/setup.sh test"); return; }
  if (truncated) size = Math.min(size, TRUNCATED_BYTES);
  let start = 0, end = size - 1, status = 200;
  const m = /bytes=(\d*)-(\d*)/.exec(req.headers.range || "");
  if (m) {
    start = m[1] ? Number(m[1]) : 0;
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    status = 206;
  }
  const headers = { ...cors, "content-type": "application/octet-stream", "accept-ranges": "bytes", "content-length": String(end - start + 1), etag: truncated ? '"t1"' : '"m1"' };
  if (status === 206) headers["content-range"] = `bytes ${start}-${end}/${size}`;
  res.writeHead(status, headers);
  if (req.method === "HEAD") { res.end(); return; }
  const fh = await open(MODEL, "r");
  const stream = fh.createReadStream({ start, end });
  stream.pipe(res);
  stream.on("close", () => fh.close().catch(() => {}));
}).listen(port, "127.0.0.1", () => console.log(`model server on http://127.0.0.1:${port}/`));
