// Screenshots of the built example site for the README, in light and dark mode, taken with
// Debian's Chromium through playwright-core (from tests/js/node_modules):
//
//   cargo run --release -- build example-site --build-date 2026-11-26
//   NODE_PATH=tests/js/node_modules node docs/screenshots/take.js example-site/public docs/screenshots
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");
const { serve } = require(path.resolve(__dirname, "../../tests/js/static_server"));

// [file name, page, viewport width, height]
const SHOTS = [
  ["home", "/", 1280, 1500, ["light"]],
  ["incident", "/postmortems/2024-05-02-postgres-failover-replication-lag/", 1280, 1600, ["light", "dark"]],
  ["incident-mobile", "/postmortems/2024-05-02-postgres-failover-replication-lag/", 390, 2000, [null]],
  ["lessons", "/lessons/", 1280, 900, ["light", "dark"]],
  ["theme", "/lessons/safe-deploys/", 1280, 1400, ["light", "dark"]],
  ["stats", "/stats/", 1280, 2000, ["light", "dark"]],
  ["actions", "/actions/", 1280, 1300, ["light", "dark"]],
];

async function main() {
  const [site, out] = process.argv.slice(2).map((p) => path.resolve(p));
  const { server, url } = await serve(site);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  try {
    for (const [name, page, width, height, schemes] of SHOTS) {
      for (const scheme of schemes) {
        const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme || "light" });
        const tab = await context.newPage();
        const response = await tab.goto(url + page, { waitUntil: "load" });
        if (!response || response.status() !== 200) throw new Error(`${page}: HTTP ${response && response.status()}`);
        const file = path.join(out, scheme ? `${name}${name === "home" ? "" : "-" + scheme}.png` : `${name}.png`);
        await tab.screenshot({ path: file });
        console.log(file);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
