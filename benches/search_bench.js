// The search benchmark's browser half and report; benches/search.sh runs it.
//
//   node search_bench.js measure --tool hindsight|pagefind --site DIR --out FILE [options]
//   node search_bench.js size DIR                       index size on disk, as JSON
//   node search_bench.js report --results DIR [--full]  the markdown table
//
// `measure` serves DIR from 127.0.0.1 (HTTP/2 over TLS with a throwaway certificate that
// Chromium is told to trust, as a static host or CDN serves it; HTTP/1.1 with --http1),
// compressing responses as a static host does (brotli quality 11 by default, as hosts that
// precompress serve it; --encoding gzip for gzip -9; the gzip -9 size is recorded either way).
// Pagefind's .pf_* files and its wasm are gzip already and are sent as they are. It drives
// Debian's Chromium through playwright-core; every scenario is a fresh browser context (empty
// cache) that opens the home page, waits for the network to go quiet, then focuses the header
// search box (which starts the lazy load) and enters the query:
//
//   pasted   the query arrives as one input event at focus, so exactly one search runs (the
//            same one typing after the engine has loaded runs). Cold bytes and round trips.
//   typed    the query is typed right after focus at --key-delay ms a key (40), so the engine
//            loads while typing, as it does for a user; what it searches meanwhile counts.
//   warm     after the cold one-word query, in the same page: clear the box and paste each
//            --warm query in turn (engine loaded, unthrottled); and, in another page, the
//            same typed at --human-delay ms a key (150), searching as you type.
//   slow 4G  Network.emulateNetworkConditions (CDP) set before focus: 150 ms latency, 1.6 Mbps
//            down, 750 kbps up (Chrome DevTools' "Slow 4G"); pasted and typed, one and two
//            words, --slow-runs fresh contexts each. Chromium applies it to Pagefind's worker.
//
// Measured per query: bytes = compressed response bodies the server sent from focus (or from
// the start of a warm query) to the rendered results (headers not counted); round trips =
// the longest chain of requests each of which started after an earlier one had finished
// (request timing from the browser, worker requests included); latency = from the last input
// event to the DOM update that shows this query's results (a MutationObserver on the popup,
// whose "more" link carries the query), debounce included.
//
// For Pagefind there is no search box in Hugo's output, so the server adds one page,
// /__bench/ (served from memory, nothing is written into the site), with the same header
// markup and an inline script that does what hindsight's header does, through Pagefind's
// JS API: on focus import /pagefind/pagefind.js and init() (entry, wasm, language meta, and
// the worker, Pagefind's default), on input debounce 60 ms (hindsight's value), search(), then
// data() of the first 6 results (hindsight's header shows 6), and render them with a
// "more" link; a query typed while it loaded is searched once it has. So both sides pay:
// engine script(s) + wasm (Pagefind) + manifest/meta + the index chunks the query needs + what
// the 6 shown results need (hindsight's cards, Pagefind's fragments). The inline script is
// in the page, as hindsight.js is, and is not counted.
"use strict";
const fs = require("fs");
const path = require("path");
const http = require("http");
const http2 = require("http2");
const zlib = require("zlib");
const crypto = require("crypto");
const { execFileSync } = require("child_process");

function requirePlaywright() {
  const places = [path.join(__dirname, "node_modules", "playwright-core"),
    path.join(__dirname, "..", "tests", "js", "node_modules", "playwright-core"), "playwright-core"];
  for (const p of places) { try { return require(p); } catch (e) { /* next */ } }
  throw new Error("playwright-core not found: run `npm ci --prefix tests/js`");
}

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8) };

// --------------------------------------------------------------------------------------
// Arguments.
function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const key = a.slice(2);
      if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out[key] = argv[++i];
      else out[key] = true;
    } else out._.push(a);
  }
  return out;
}

// --------------------------------------------------------------------------------------
// The static server.
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml",
  ".png": "image/png", ".txt": "text/plain; charset=utf-8", ".wasm": "application/wasm",
};
// What a static host compresses (by type); the rest (images, Pagefind's gzip files) go as is.
const COMPRESSIBLE = /^(text\/|application\/(json|xml|javascript|wasm)|image\/svg)/;

function certificate(workDir) {
  const dir = path.join(workDir, "tls");
  const key = path.join(dir, "key.pem"), cert = path.join(dir, "cert.pem");
  if (!fs.existsSync(cert)) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", cert, "-days", "3650", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
    { stdio: "ignore", timeout: 30000 });
  }
  const pem = fs.readFileSync(cert);
  const spki = new crypto.X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return { key: fs.readFileSync(key), cert: pem, spki: crypto.createHash("sha256").update(spki).digest("base64") };
}

function serve(root, options) {
  const log = [];
  const cache = new Map(); // file -> {raw, gzip, br, type}
  const encoding = options.encoding;
  function encoded(file) {
    let e = cache.get(file);
    if (e) return e;
    const raw = fs.readFileSync(file);
    const type = TYPES[path.extname(file)] || "application/octet-stream";
    e = { raw, type, compressible: COMPRESSIBLE.test(type) && !(raw[0] === 0x1f && raw[1] === 0x8b) };
    if (e.compressible) {
      e.gzip = zlib.gzipSync(raw, { level: 9 });
      e.br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
    }
    cache.set(file, e);
    return e;
  }
  const handler = (req, res) => {
    const arrived = Date.now();
    let rel;
    try { rel = decodeURIComponent(new URL(req.url, "http://x").pathname); } catch (e) { rel = "/"; }
    const finish = (status, headers, body, sizes) => {
      res.writeHead(status, headers);
      res.end(body);
      log.push(Object.assign({ path: rel, status, arrived, bytes: body.length, http: req.httpVersion }, sizes));
    };
    const extra = options.extra && options.extra[rel];
    let file = null, entry;
    if (extra) {
      entry = { raw: Buffer.from(extra), type: TYPES[".html"], compressible: true };
      entry.gzip = zlib.gzipSync(entry.raw, { level: 9 });
      entry.br = zlib.brotliCompressSync(entry.raw);
    } else {
      file = path.join(root, rel);
      if (!path.resolve(file).startsWith(path.resolve(root))) return finish(400, {}, Buffer.from("bad"), {});
      if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
      if (!fs.existsSync(file)) return finish(404, { "content-type": "text/plain" }, Buffer.from("not found"), {});
      entry = encoded(file);
    }
    const accept = String(req.headers["accept-encoding"] || "");
    const headers = { "content-type": entry.type, "cache-control": "public, max-age=600", "vary": "accept-encoding" };
    let body = entry.raw;
    if (entry.compressible) {
      if (encoding === "br" && /\bbr\b/.test(accept)) { body = entry.br; headers["content-encoding"] = "br"; }
      else if (/\bgzip\b/.test(accept)) { body = entry.gzip; headers["content-encoding"] = "gzip"; }
    }
    headers["content-length"] = body.length;
    finish(200, headers, body, { raw: entry.raw.length, gzip: entry.compressible ? entry.gzip.length : entry.raw.length,
      br: entry.compressible ? entry.br.length : entry.raw.length, encoding: headers["content-encoding"] || "identity" });
  };
  let server;
  if (options.tls) server = http2.createSecureServer({ key: options.tls.key, cert: options.tls.cert, allowHTTP1: true }, handler);
  else server = http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const url = (options.tls ? "https" : "http") + "://127.0.0.1:" + server.address().port;
      resolve({ server, log, url, close: () => new Promise((r) => { server.close(() => r()); setTimeout(r, 2000); }) });
    });
  });
}

// --------------------------------------------------------------------------------------
// The page Pagefind is measured on (see the header comment).
function pagefindPage(noWorker) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pagefind benchmark page</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><form class="site-search" action="/search/" role="search">
<input id="site-search-input" name="q" type="search" autocomplete="off" placeholder="Search postmortems">
<div class="search-popup" hidden></div></form></header>
<main><h1>Acme incident knowledge base</h1><p>Search from the header.</p></main>
<script>
(function () {
  "use strict";
  var input = document.getElementById("site-search-input"), box = document.querySelector(".search-popup");
  var loading = null, serial = 0, timer = null;
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function load() {
    if (!loading) loading = import("/pagefind/pagefind.js").then(function (pf) {
      return Promise.resolve(pf.options({ noWorker: ${noWorker ? "true" : "false"} })).then(function () { return pf.init(); })
        .then(function () { return pf; });
    });
    return loading;
  }
  function run() {
    var q = input.value, mine = ++serial;
    if (!q.trim()) { box.hidden = true; return; }
    load().then(function (pf) { return pf.search(q); }).then(function (r) {
      return Promise.all(r.results.slice(0, 6).map(function (x) { return x.data(); })).then(function (docs) {
        if (mine !== serial) return;
        window.__pfTotal = r.results.length;
        box.innerHTML = '<div role="listbox">' + docs.map(function (d, i) {
          return '<a class="result" id="search-opt-' + i + '" role="option" href="' + esc(d.url) + '"><span class="result-title">' +
            esc(d.meta && d.meta.title || d.url) + '</span><span class="result-snippet">' + d.excerpt + "</span></a>";
        }).join("") + '</div><a class="result-more" href="/search/?q=' + encodeURIComponent(q) + '">All results</a>';
        box.hidden = false;
      });
    }).catch(function (e) { box.innerHTML = '<p class="result-error">' + esc(e && e.message) + "</p>"; box.hidden = false; });
  }
  input.addEventListener("focus", function () { load().then(function () { if (document.activeElement === input && input.value.trim()) run(); }); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 60); });
})();
</script></body></html>
`;
}

// --------------------------------------------------------------------------------------
// Measuring.

// Installs the probes: the time of the last input event, and when the popup shows the
// results of the query being waited for (its "more" link carries the query).
function installProbe() {
  const hb = (window.__hb = { lastInput: 0, target: null, done: {}, inputs: [] });
  const input = document.getElementById("site-search-input");
  const box = document.querySelector(".search-popup");
  input.addEventListener("input", () => { hb.lastInput = performance.now(); hb.inputs.push(hb.lastInput); }, true);
  const check = () => {
    const t = hb.target;
    if (!t || hb.done[t.id] || box.hidden) return;
    const more = box.querySelector(".result-more");
    if (!more || !(more.getAttribute("href") || "").endsWith("?q=" + encodeURIComponent(t.q))) return;
    const now = performance.now();
    const first = box.querySelector(".result .result-title");
    hb.done[t.id] = { latency: now - hb.lastInput, epoch: performance.timeOrigin + now,
      lastInputEpoch: performance.timeOrigin + hb.lastInput, results: box.querySelectorAll(".result").length,
      first: first ? first.textContent : null, error: (box.querySelector(".result-error") || {}).textContent || null };
  };
  new MutationObserver(check).observe(box, { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden"] });
}

// The longest chain of requests where each started after the previous one had finished.
// Sets r.depth on each request (1 = started before any of them had finished).
function sequentialRoundTrips(reqs) {
  const list = reqs.filter((r) => r.end !== null).sort((a, b) => a.start - b.start);
  let best = 0;
  for (let i = 0; i < list.length; i++) {
    let d = 1;
    for (let j = 0; j < i; j++) {
      if (list[j].end <= list[i].start + 1) d = Math.max(d, list[j].depth + 1);
    }
    list[i].depth = d;
    best = Math.max(best, d);
  }
  return best;
}

function category(tool, p) {
  if (tool === "hindsight") {
    if (p.endsWith("/assets/search.js")) return "engine";
    if (p.endsWith("/search/manifest.js")) return "manifest";
    const m = /\/search\/([a-z])\//.exec(p);
    return m ? { p: "postings", x: "positions", d: "dict", y: "typo", c: "cards", f: "facets" }[m[1]] || m[1] : "other";
  }
  if (/\/pagefind\/(pagefind|pagefind-worker)\.js$/.test(p)) return "engine";
  if (/\/pagefind\/wasm\./.test(p)) return "wasm";
  if (/\.pf_meta$/.test(p) || p.endsWith("pagefind-entry.json")) return "manifest";
  if (/\.pf_index$/.test(p)) return "index";
  if (/\.pf_fragment$/.test(p)) return "fragments";
  if (/\.pf_filter$/.test(p)) return "filters";
  return "other";
}

async function measure(args) {
  const tool = args.tool;
  const site = path.resolve(args.site);
  const work = path.resolve(args.work || "/tmp/hindsight-bench");
  const keyDelay = Number(args["key-delay"] || 40);
  const humanDelay = Number(args["human-delay"] || 150);
  const query1 = args.query1 || "certificate";
  const query2 = args.query2 || "dns timeout";
  const warmQueries = String(args.warm || "kafka,failover,deadlock,replication,rollback,memory leak,certificate expired").split(",");
  const slowRuns = Number(args["slow-runs"] || 3);
  const encoding = args.encoding === "gzip" ? "gzip" : "br";
  const timeout = Number(args["step-timeout"] || 60000);
  const noWorker = !!args["pagefind-no-worker"];
  let tls = null;
  if (!args.http1) { try { tls = certificate(work); } catch (e) { console.error("no TLS certificate (" + e.message + "); HTTP/1.1"); } }
  const extra = tool === "pagefind" ? { "/__bench/": pagefindPage(noWorker), "/__bench/index.html": pagefindPage(noWorker) } : {};
  const srv = await serve(site, { encoding, tls, extra });
  const home = srv.url + (tool === "pagefind" ? "/__bench/" : "/");
  const { chromium } = requirePlaywright();
  const launchArgs = CHROMIUM_ARGS.slice();
  if (tls) launchArgs.push("--ignore-certificate-errors-spki-list=" + tls.spki);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: launchArgs, timeout: 60000 });
  const out = { tool, site, url: srv.url, protocol: tls ? "h2 (TLS, 127.0.0.1)" : "http/1.1 (127.0.0.1)", encoding,
    keyDelayMs: keyDelay, humanDelayMs: humanDelay, queries: { one: query1, two: query2, warm: warmQueries }, slow4g: SLOW_4G, errors: [] };

  // One scenario in a fresh context. steps: [{q, kind}] typed in order after focus.
  async function scenario(name, steps, slow) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const requests = [];
    context.on("requestfinished", (r) => {
      const t = r.timing();
      requests.push({ url: r.url(), start: t.startTime, end: t.responseEnd >= 0 ? t.startTime + t.responseEnd : null });
    });
    context.on("requestfailed", (r) => requests.push({ url: r.url(), start: r.timing().startTime, end: null, failed: r.failure() && r.failure().errorText }));
    const page = await context.newPage();
    page.on("pageerror", (e) => out.errors.push(name + ": " + String(e)));
    // Failed loads are checked on the server's side (the favicon's 404 is not a problem).
    page.on("console", (m) => {
      if ((m.type() === "error" || m.type() === "warning") && !/^Failed to load resource/.test(m.text())) out.errors.push(name + ": console " + m.type() + ": " + m.text());
    });
    await page.goto(home, { waitUntil: "load", timeout });
    await page.waitForLoadState("networkidle", { timeout }).catch(() => {});
    await page.evaluate(installProbe);
    if (slow) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
    }
    const result = [];
    let stepStart = Date.now();
    const logStart = srv.log.length;
    await page.focus("#site-search-input");
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const id = name + ":" + i;
      if (i > 0) {
        await page.fill("#site-search-input", "");
        await page.waitForFunction(() => document.querySelector(".search-popup").hidden, null, { timeout });
        await page.waitForTimeout(100);
        stepStart = Date.now();
      }
      const logFrom = i > 0 ? srv.log.length : logStart;
      await page.evaluate((t) => { window.__hb.target = t; window.__hb.inputs = []; }, { id, q: step.q });
      if (step.paste) await page.keyboard.insertText(step.q);
      else await page.keyboard.type(step.q, { delay: step.delay || keyDelay });
      let done;
      try {
        await page.waitForFunction((k) => window.__hb.done[k], id, { timeout });
        done = await page.evaluate((k) => Object.assign({ inputs: window.__hb.inputs }, window.__hb.done[k]), id);
      } catch (e) {
        out.errors.push(name + ": no results for " + JSON.stringify(step.q) + " within " + timeout + " ms");
        result.push({ q: step.q, kind: step.kind, timedOut: true });
        continue;
      }
      // Let what is in flight land, to report it (it is not counted in bytes).
      await page.waitForTimeout(slow ? 1500 : 300);
      const served = srv.log.slice(logFrom).filter((e) => !e.path.endsWith("/favicon.ico"));
      for (const e of served) if (e.status !== 200) out.errors.push(name + ": " + e.status + " for " + e.path);
      const before = served.filter((e) => e.arrived <= done.epoch + 1);
      const after = served.filter((e) => e.arrived > done.epoch + 1);
      const reqs = requests.filter((r) => r.start >= stepStart - 1 && r.start <= done.epoch && !/favicon\.ico$/.test(r.url));
      const sum = (list, k) => list.reduce((n, e) => n + (e[k] || 0), 0);
      const byCat = {};
      for (const e of before) {
        const c = category(tool, e.path);
        byCat[c] = byCat[c] || { files: 0, bytes: 0 };
        byCat[c].files++;
        byCat[c].bytes += e.bytes;
      }
      result.push({
        q: step.q, kind: step.kind, input: step.paste ? "pasted" : "typed", latencyMs: done.latency,
        focusToResultsMs: i === 0 ? done.epoch - stepStart : null, results: done.results, first: done.first,
        bytes: sum(before, "bytes"), bytesGzip: sum(before, "gzip"), bytesBr: sum(before, "br"), bytesRaw: sum(before, "raw"),
        requests: before.length, roundTrips: sequentialRoundTrips(reqs), browserRequests: reqs.length,
        byCategory: byCat, files: before.map((e) => [e.path, e.bytes, e.raw, e.status]),
        timeline: reqs.slice().sort((a, b) => a.start - b.start).map((r) => [new URL(r.url).pathname, Math.round(r.start - stepStart),
          r.end === null ? null : Math.round(r.end - stepStart), r.depth || null]),
        lastInputMs: Math.round(done.lastInputEpoch - stepStart), doneMs: Math.round(done.epoch - stepStart),
        keyIntervalMs: done.inputs.length > 1 ? Math.round((done.inputs[done.inputs.length - 1] - done.inputs[0]) / (done.inputs.length - 1)) : null,
        after: after.map((e) => [e.path, e.bytes]), total: tool === "pagefind" ? await page.evaluate(() => window.__pfTotal) : undefined,
        http: [...new Set(before.map((e) => e.http))],
      });
    }
    await context.close();
    return result;
  }

  try {
    const pasted = (q, kind) => ({ q, kind, paste: true }), typed = (q, kind) => ({ q, kind, paste: false });
    const warm = warmQueries.map((q) => pasted(q, "warm"));
    const human = warmQueries.map((q) => Object.assign(typed(q, "warm-typed"), { delay: humanDelay }));
    // Priming: fills the server's compression cache (a CDN's) and the OS page cache; not reported.
    await scenario("prime", [pasted(query1, "one")].concat(warm).concat([typed(query2, "two")]), false);
    const cold1 = await scenario("cold-one", [pasted(query1, "one")].concat(warm), false);
    // Warm again, typed at a human pace, so the UI searches as you type (separate page, same order).
    out.warmTyped = (await scenario("warm-typed", [pasted(query1, "one")].concat(human), false)).slice(1);
    const cold2 = await scenario("cold-two", [pasted(query2, "two")], false);
    const slow = { pastedOne: [], pastedTwo: [], typedOne: [], typedTwo: [] };
    for (let i = 0; i < slowRuns; i++) {
      slow.pastedOne.push((await scenario("slow-pasted-one-" + i, [pasted(query1, "one")], true))[0]);
      slow.pastedTwo.push((await scenario("slow-pasted-two-" + i, [pasted(query2, "two")], true))[0]);
      slow.typedOne.push((await scenario("slow-typed-one-" + i, [typed(query1, "one")], true))[0]);
      slow.typedTwo.push((await scenario("slow-typed-two-" + i, [typed(query2, "two")], true))[0]);
    }
    out.cold = { one: cold1[0], two: cold2[0] };
    out.warm = cold1.slice(1);
    out.slow = slow;
    const ok = (xs) => xs.filter((x) => !x.timedOut);
    const lat = (xs) => ok(xs).map((x) => x.latencyMs);
    out.summary = {
      coldBytesOne: cold1[0].bytes, coldBytesTwo: cold2[0].bytes,
      coldBytesOneGzip: cold1[0].bytesGzip, coldBytesTwoGzip: cold2[0].bytesGzip,
      coldRequestsOne: cold1[0].requests, coldRequestsTwo: cold2[0].requests,
      roundTripsOne: median(ok(slow.pastedOne).map((x) => x.roundTrips)),
      roundTripsTwo: median(ok(slow.pastedTwo).map((x) => x.roundTrips)),
      warmMedianMs: median(lat(out.warm)), warmAll: lat(out.warm), warmTypedMedianMs: median(lat(out.warmTyped)),
      slowTypedOneMs: median(lat(slow.typedOne)), slowTypedTwoMs: median(lat(slow.typedTwo)),
      slowPastedOneMs: median(lat(slow.pastedOne)), slowPastedTwoMs: median(lat(slow.pastedTwo)),
      slowTypedOneBytes: median(ok(slow.typedOne).map((x) => x.bytes)), slowTypedTwoBytes: median(ok(slow.typedTwo).map((x) => x.bytes)),
      coldLatencyOneMs: cold1[0].latencyMs, coldLatencyTwoMs: cold2[0].latencyMs,
    };
  } finally {
    await browser.close().catch(() => {});
    await srv.close();
  }
  fs.writeFileSync(args.out, JSON.stringify(out, null, 1));
  const s = out.summary || {};
  console.error(`  ${tool}: cold one-word ${kb(s.coldBytesOne)} in ${s.coldRequestsOne} requests, two-word ${kb(s.coldBytesTwo)}, ` +
    `round trips ${s.roundTripsOne}/${s.roundTripsTwo}, warm median ${fmt(s.warmMedianMs)} ms, slow 4G ${fmt(s.slowTypedOneMs)} ms after the last key, ${fmt(s.slowPastedOneMs)} ms pasted` +
    (out.errors.length ? `; ${out.errors.length} errors (see ${args.out})` : ""));
}

function median(xs) {
  if (!xs || !xs.length) return null;
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function kb(b) { return b === null || b === undefined ? "–" : (b / 1000).toFixed(1) + " KB"; }
function mb(b) { return b === null || b === undefined ? "–" : (b / 1e6).toFixed(1) + " MB"; }
function fmt(x) { return x === null || x === undefined ? "–" : String(Math.round(x)); }

// --------------------------------------------------------------------------------------
// Index size on disk: apparent bytes, allocated bytes (st_blocks) and file count.
function size(dir, exclude) {
  let bytes = 0, allocated = 0, files = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !(exclude && exclude.test(e.name))) {
        const st = fs.statSync(p);
        bytes += st.size; allocated += st.blocks * 512; files++;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return { bytes, allocated, files };
}

// --------------------------------------------------------------------------------------
// Build records and the report.

// `hindsight build --timings` (stderr): "stage   123.4ms   210 MB" lines.
function parseTimings(text) {
  const stages = [];
  for (const line of text.split("\n")) {
    const m = /^(\S.*?)\s+([\d.]+)ms\s+(\S+ MB|-)\s*$/.exec(line);
    if (m && m[1] !== "stage") stages.push({ stage: m[1].trim(), ms: Number(m[2]) });
  }
  const total = /\) into .* in ([\d.]+)s:/.exec(text);
  const published = /Built (\d+) postmortems/.exec(text);
  return { stages, totalMs: total ? Number(total[1]) * 1000 : stages.reduce((n, x) => n + x.ms, 0),
    published: published ? Number(published[1]) : null };
}

// How much of hindsight's build is search's. "search plan" (the static index's plan) and
// "tantivy index" (the CLI's index under .hindsight/, not part of the site) are search only.
// "render, index, write" renders the pages while it encodes and writes the static index
// (rayon::join into one writer thread), so its wall time cannot be split by stage: the
// estimate gives search the part of it equal to search/'s share of the bytes written, with
// the bounds "none of it" (low) and "all of it" (high).
function searchShare(h) {
  const t = parseTimings(h.log);
  const get = (re) => t.stages.filter((x) => re.test(x.stage)).reduce((n, x) => n + x.ms, 0);
  const plan = get(/^search plan$/), tantivy = get(/tantivy/), mixed = get(/^render, index, write$/);
  const byteShare = h.index.bytes / Math.max(1, h.output.bytes);
  return { total: t.totalMs, plan, tantivy, mixed, byteShare, estimate: plan + tantivy + mixed * byteShare,
    staticEstimate: plan + mixed * byteShare, low: plan + tantivy, high: plan + tantivy + mixed, stages: t.stages, published: t.published };
}

function recordBuild(args) {
  const rec = { n: Number(args.n), runs: Number(args.runs || 1), loadavg: args.loadavg || null, all: args.all || null };
  if (args["hindsight-site"]) {
    const site = path.resolve(args["hindsight-site"]);
    rec.hindsight = { log: fs.readFileSync(args["hindsight-log"], "utf8"), wallMs: Number(args["hindsight-ms"]),
      index: size(path.join(site, "search")), output: size(site) };
  }
  if (args["hugo-site"]) {
    const site = path.resolve(args["hugo-site"]);
    const pfLog = fs.existsSync(args["pagefind-log"] || "") ? fs.readFileSync(args["pagefind-log"], "utf8") : "";
    const pages = /Indexed (\d+) pages/.exec(pfLog);
    rec.hugo = { ms: Number(args["hugo-ms"]), output: size(site, /^$/) };
    rec.pagefind = { ms: Number(args["pagefind-ms"]), pages: pages ? Number(pages[1]) : null,
      index: size(path.join(site, "pagefind")), indexOnly: size(path.join(site, "pagefind"), UI_FILES) };
  }
  fs.writeFileSync(args.out, JSON.stringify(rec, null, 1));
}
const UI_FILES = /^pagefind-(ui|modular-ui|component-ui|highlight)\.|\.css$/;

function report(args) {
  const dir = path.resolve(args.results);
  const sizes = args.sizes ? String(args.sizes).split(",").map(Number) : args.full ? [1000, 10000, 100000] : [1000, 10000];
  const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")); } catch (e) { return null; } };
  const targets = { 1000: "≤30 KB", 10000: "≤40 KB", 100000: "≤60 KB" };
  const cols = ["corpus", "tool", "cold bytes, 1 word", "cold bytes, 2 words", "sequential round trips (1 w / 2 w)",
    "warm latency ms (median)", "slow-4G cold latency ms (typed / pasted)", "index size on disk", "build s (search share)"];
  const rows = ["| " + cols.join(" | ") + " |", "|" + cols.map(() => "---").join("|") + "|"];
  const details = [];
  let encoding = "br", protocol = null, keyDelay = 40, slowRuns = null, queries = null, warmN = null;
  const bytesCell = (b, g, r) => b === null || b === undefined ? "–" : `${kb(b)} (gzip ${kb(g)}), ${r} req`;
  for (const n of sizes) {
    const hs = read(`${n}-hindsight.json`), pf = read(`${n}-pagefind.json`), build = read(`${n}-build.json`);
    if (!hs && !pf && !build) continue;
    const N = n.toLocaleString("en");
    for (const [name, r] of [["hindsight", hs], ["Hugo + Pagefind", pf]]) {
      const s = r && r.summary;
      if (r) {
        encoding = r.encoding; protocol = r.protocol; keyDelay = r.keyDelayMs; queries = r.queries;
        slowRuns = r.slow ? r.slow.pastedOne.length : null; warmN = r.warm ? r.warm.length : null;
      }
      let buildCell = "–", sizeCell = "–";
      if (build && name === "hindsight" && build.hindsight) {
        const sh = searchShare(build.hindsight);
        buildCell = `${(sh.total / 1000).toFixed(2)} (≈${pct(sh.estimate / sh.total)}; ${pct(sh.low / sh.total)}–${pct(sh.high / sh.total)})`;
        sizeCell = `${mb(build.hindsight.index.bytes)}, ${build.hindsight.index.files.toLocaleString("en")} files`;
      }
      if (build && name !== "hindsight" && build.pagefind) {
        buildCell = `${(build.hugo.ms / 1000).toFixed(2)} + ${(build.pagefind.ms / 1000).toFixed(2)} (${pct(build.pagefind.ms / (build.hugo.ms + build.pagefind.ms))})`;
        sizeCell = `${mb(build.pagefind.index.bytes)}, ${build.pagefind.index.files.toLocaleString("en")} files`;
      }
      rows.push(`| ${N} | ${name} | ` + (s ? [bytesCell(s.coldBytesOne, s.coldBytesOneGzip, s.coldRequestsOne),
        bytesCell(s.coldBytesTwo, s.coldBytesTwoGzip, s.coldRequestsTwo), `${s.roundTripsOne} / ${s.roundTripsTwo}`,
        fmt(s.warmMedianMs), `${fmt(s.slowTypedOneMs)} / ${fmt(s.slowPastedOneMs)}`].join(" | ") : "– | – | – | – | –") +
        ` | ${sizeCell} | ${buildCell} |`);
    }
    rows.push(`| ${N} | target | ${targets[n] || "–"} | | ≤3 | <50 | <1200 | | |`);

    // Details.
    details.push("", `#### ${N} postmortems`, "");
    if (build && build.hindsight) {
      const sh = searchShare(build.hindsight);
      details.push(`- builds: fastest of ${build.runs} cold runs (${build.all}); load average before them ${build.loadavg} (${require("os").cpus().length} CPUs).`);
      details.push(`- hindsight build (${sh.published} postmortems published): ` + sh.stages.map((x) => `${x.stage} ${fmt(x.ms)}`).join(", ") +
        ` ms; total ${fmt(sh.total)} ms. search/ is ${pct(sh.byteShare)} of the ${mb(build.hindsight.output.bytes)} written, so search ≈ ` +
        `plan ${fmt(sh.plan)} + tantivy ${fmt(sh.tantivy)} + ${pct(sh.byteShare)} × ${fmt(sh.mixed)} = ${fmt(sh.estimate)} ms ` +
        `(${pct(sh.estimate / sh.total)}; the site's static index alone ≈ ${pct(sh.staticEstimate / sh.total)}). ` +
        `search/: ${build.hindsight.index.files} files, ${mb(build.hindsight.index.bytes)} apparent, ${mb(build.hindsight.index.allocated)} allocated.`);
    }
    if (build && build.pagefind) {
      details.push(`- Hugo ${fmt(build.hugo.ms)} ms, Pagefind ${fmt(build.pagefind.ms)} ms (${build.pagefind.pages} pages indexed). ` +
        `pagefind/: ${build.pagefind.index.files} files, ${mb(build.pagefind.index.bytes)} apparent, ${mb(build.pagefind.index.allocated)} allocated; ` +
        `${mb(build.pagefind.indexOnly.bytes)} without its UI bundles.`);
    }
    for (const [name, r] of [["hindsight", hs], ["Pagefind", pf]]) {
      if (!r || !r.cold) continue;
      for (const [label, c] of [["cold 1 word", r.cold.one], ["cold 2 words", r.cold.two]]) {
        if (!c || c.timedOut) { details.push(`- ${name}, ${label}: timed out`); continue; }
        const cats = Object.entries(c.byCategory).map(([k, v]) => `${k} ${v.files}× ${kb(v.bytes)}`).join(", ");
        details.push(`- ${name}, ${label} ${JSON.stringify(c.q)}: ${kb(c.bytes)} in ${c.requests} responses (${cats}); ` +
          `${kb(c.bytesRaw)} uncompressed; ${c.roundTrips} round trips and ${fmt(c.latencyMs)} ms unthrottled; ` +
          `${c.results} shown` + (c.total !== undefined && c.total !== null ? ` of ${c.total}` : "") + `, first ${JSON.stringify(c.first)}` +
          (c.after && c.after.length ? `; ${c.after.length} more responses after the results (${kb(c.after.reduce((x, e) => x + e[1], 0))})` : ""));
        const big = c.files.slice().sort((a, b) => b[1] - a[1]).slice(0, 3).map((f) => `${f[0]} ${kb(f[1])} (${kb(f[2])} raw)`);
        details.push(`  largest: ${big.join(", ")}`);
      }
      const warmList = (xs) => xs.map((w) => w.timedOut ? `${JSON.stringify(w.q)} timed out` :
        `${JSON.stringify(w.q)} ${fmt(w.latencyMs)} ms, ${kb(w.bytes)}/${w.requests} req`).join("; ");
      if (r.warm) details.push(`- ${name}, warm, pasted: ${warmList(r.warm)}; median ${fmt(r.summary.warmMedianMs)} ms, ` +
        `${fmt(r.summary.warmMedianMs - 60)} ms after the 60 ms debounce`);
      if (r.warmTyped) details.push(`- ${name}, warm, typed at ${r.humanDelayMs} ms a key (searching as you type; ` +
        `measured ${fmt(median(r.warmTyped.map((w) => w.keyIntervalMs).filter((x) => x)))} ms between input events): ${warmList(r.warmTyped)}; ` +
        `median ${fmt(r.summary.warmTypedMedianMs)} ms`);
      if (r.slow) {
        const runs = (xs) => xs.map((w) => w.timedOut ? "timed out" : `${fmt(w.latencyMs)} ms, ${w.roundTrips} rt, ${kb(w.bytes)}` +
          (w.input === "typed" ? `, keys ${w.keyIntervalMs} ms apart, last at ${w.lastInputMs} ms` : "")).join(" | ");
        details.push(`- ${name}, slow 4G typed (from the last key): 1 word ${runs(r.slow.typedOne)}; 2 words ${runs(r.slow.typedTwo)}`);
        details.push(`- ${name}, slow 4G pasted (from focus): 1 word ${runs(r.slow.pastedOne)}; 2 words ${runs(r.slow.pastedTwo)}`);
      }
      if (r.errors && r.errors.length) details.push(`- ${name}: ${r.errors.length} problems: ${r.errors.slice(0, 3).join("; ")}`);
    }
  }
  const lines = [rows.join("\n"), ""];
  lines.push(`Queries: 1 word ${JSON.stringify(queries && queries.one)}, 2 words ${JSON.stringify(queries && queries.two)}; ` +
    `warm: ${warmN} further queries (${queries ? queries.warm.map((q) => JSON.stringify(q)).join(", ") : ""}) pasted one after the other after the cold one, in the same page.`);
  lines.push(`Bytes: response bodies as sent (${encoding === "gzip" ? "gzip -9" : "brotli q11"}; gzip -9 equivalent in brackets; ` +
    "Pagefind's .pf_* and wasm files are gzip already and go as they are; headers not counted), from focusing the header box to the rendered " +
    `results, the query arriving at focus (pasted: exactly one search). Served over ${protocol}. ` +
    `Round trips: the longest chain of requests that each started after an earlier one finished, median of ${slowRuns} slow-4G pasted runs. ` +
    `Slow 4G = CDP Network.emulateNetworkConditions, 150 ms latency, 1.6 Mbps down, 750 kbps up; latency medians of ${slowRuns} fresh contexts: ` +
    `typed = query typed right after focus at ${keyDelay} ms a key, from the last key's input event to the results in the DOM; pasted = from focus. ` +
    "Warm: the same measure, unthrottled, engine loaded (both UIs debounce input by 60 ms; included). " +
    "Index size: apparent bytes of public/search/ (hindsight; its 54 KB search.js is in assets/) and of public/pagefind/ (all Pagefind wrote, UI bundles included). " +
    "Build: wall seconds, fastest of the runs; hindsight's search share is estimated, bounds after it (see the details); Hugo + Pagefind: hugo + pagefind seconds (Pagefind's share).");
  lines.push(...details);
  process.stdout.write(lines.join("\n") + "\n");
}
function pct(x) { return isFinite(x) ? Math.round(x * 100) + "%" : "–"; }

// --------------------------------------------------------------------------------------
async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cmd = args._[0];
  if (cmd === "measure") return measure(args);
  if (cmd === "size") {
    const exclude = args["exclude-ui"] ? UI_FILES : null;
    process.stdout.write(JSON.stringify(size(path.resolve(args._[1]), exclude)) + "\n");
    return;
  }
  if (cmd === "report") return report(args);
  if (cmd === "record-build") return recordBuild(args);
  console.error("usage: node search_bench.js measure|size|report ... (see the header comment)");
  process.exit(2);
}
main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
