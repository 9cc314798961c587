// Stems the words given one per line on stdin with the site's search script (the browser's
// stemmer) and prints `word<TAB>term` lines, for comparison with the Rust analyzer.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
vm.runInThisContext(fs.readFileSync(path.join(process.argv[2], "assets/search.js"), "utf8"));
const api = globalThis.hindsightSearch;
const out = [];
for (const word of fs.readFileSync(0, "utf8").split("\n")) {
  if (!word) continue;
  out.push(word + "\t" + api.terms(word).join(" "));
}
process.stdout.write(out.join("\n") + "\n");
