// A static file server on 127.0.0.1 for the browser tests and the search benchmark: serves a
// built site, gzips what the client accepts (as any static host does), and records every
// request with the bytes sent on the wire and when it started and ended.
"use strict";
const http = require("http");
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml", ".png": "image/png",
  ".txt": "text/plain; charset=utf-8", ".pf_meta": "application/octet-stream", ".pf_fragment": "application/octet-stream",
  ".pf_index": "application/octet-stream", ".pf_filter": "application/octet-stream", ".wasm": "application/wasm",
};

function serve(root, options) {
  options = options || {};
  const log = [];
  const server = http.createServer((req, res) => {
    const started = Date.now();
    let rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(root, rel);
    if (!file.startsWith(path.resolve(root))) { res.writeHead(400); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) { res.writeHead(404); res.end("not found"); log.push({ path: rel, status: 404, bytes: 9, started, ended: Date.now() }); return; }
    let body = fs.readFileSync(file);
    const headers = { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream", "Cache-Control": "no-store" };
    // Pagefind's own files are already compressed.
    const precompressed = /\.pf_(meta|fragment|index|filter)$/.test(file);
    if (!precompressed && /\bgzip\b/.test(req.headers["accept-encoding"] || "")) {
      body = zlib.gzipSync(body, { level: 9 });
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = body.length;
    const send = () => {
      res.writeHead(200, headers);
      res.end(body);
      log.push({ path: rel, status: 200, bytes: body.length, started, ended: Date.now() });
    };
    if (options.delay) setTimeout(send, options.delay); else send();
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, log, url: "http://127.0.0.1:" + server.address().port }));
  });
}

// Requests made since `from` (an index into the log), grouped into sequential round trips:
// a request that starts after another one ended is in a later trip.
function roundTrips(entries) {
  let trips = 0;
  let lastEnd = -1;
  for (const e of entries.slice().sort((a, b) => a.started - b.started)) {
    if (e.started >= lastEnd) { trips++; lastEnd = e.ended; } else { lastEnd = Math.max(lastEnd, e.ended); }
  }
  return trips;
}

module.exports = { serve, roundTrips };
