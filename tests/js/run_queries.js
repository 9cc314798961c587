// Runs the site's real search script (assets/search.js of a built site) under Node, on the
// site's static index, for the queries given one per line on stdin; prints one JSON line per
// query: the analyzed words, the terms that can match, and the top results (page URLs).
// Used by the golden agreement tests, which compare it with `hindsight search`.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const site = process.argv[2];
const limit = parseInt(process.argv[3] || "10", 10);
vm.runInThisContext(fs.readFileSync(path.join(site, "assets/search.js"), "utf8"), { filename: "search.js" });
const api = globalThis.hindsightSearch;
let bytes = 0;
function load(keys) {
  for (const key of keys) {
    if (api.data[key] !== undefined) continue;
    const file = path.join(site, api.fileOf(key));
    const text = fs.readFileSync(file, "utf8");
    bytes += text.length;
    vm.runInThisContext(text, { filename: file });
  }
  return Promise.resolve();
}

async function main() {
  await load(["manifest"]);
  const manifest = api.data.manifest;
  const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l.length);
  for (const line of lines) {
    const { query, sort } = JSON.parse(line);
    const result = await api.search(manifest, query, { sort: sort || "relevance" }, load);
    const top = result.hits.slice(0, limit).map((h) => h.doc);
    const cards = await api.cardsOf(manifest, top, load);
    const parsed = result.query;
    process.stdout.write(JSON.stringify({
      query,
      words: parsed.words.map((w) => [w.term, w.surface, w.prefix]),
      terms: result.terms,
      top: cards.map((c) => c.url),
      scores: result.hits.slice(0, limit).map((h) => h.score),
      rounds: result.rounds,
    }) + "\n");
  }
}
main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
