// A small HTTP API on 127.0.0.1 for HTTP tools in the browser tests: order lookups with
// CORS, plus a log of every request it received (so a test can prove nothing was sent
// before the user approved the host).
import { createServer } from "node:http";

const port = Number(process.argv[2] || 4011);
const orders = {
  A123: { order: "A123", status: "shipped", delivery: "Thursday" },
  B456: { order: "B456", status: "delayed", delivery: "next week" },
};
const log = [];
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
  if (url.pathname === "/__reset") {
    log.length = 0;
    res.writeHead(204, cors);
    res.end();
    return;
  }
  if (req.method === "OPTIONS") {
    res.writeHead(204, cors);
    res.end();
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
