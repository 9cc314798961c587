// End-to-end check of a built site in Debian's Chromium: instant search from the header,
// keyboard navigation, the search page's facets, the action tracker's filter, and search
// from file://. Prints one JSON object with what it saw; the Rust test asserts on it.
//
//   node browser_e2e.js SITE_DIR QUERY
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");
const { serve, roundTrips } = require("./static_server");

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];

async function main() {
  const site = path.resolve(process.argv[2]);
  const query = process.argv[3];
  const { server, log, url } = await serve(site);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const out = { errors: [] };
  try {
    const page = await browser.newPage();
    page.on("console", (m) => { if (m.type() === "error") out.errors.push(m.text()); });
    page.on("pageerror", (e) => out.errors.push(String(e)));

    // Header search: cold, from the home page.
    await page.goto(url + "/", { waitUntil: "load" });
    const before = log.length;
    await page.keyboard.press("/");
    out.focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    // The whole query at once (as if pasted), so the bytes are those of one query.
    await page.fill("#site-search-input", query);
    await page.waitForSelector(".search-popup .result", { timeout: 30000 });
    const search = log.slice(before);
    out.instant = {
      first: await page.textContent(".search-popup .result .result-title"),
      count: await page.locator(".search-popup .result").count(),
      bytes: search.reduce((n, e) => n + e.bytes, 0),
      requests: search.map((e) => e.path),
      roundTrips: roundTrips(search),
      engineRounds: await page.evaluate(() => window.hindsightSearch.lastRounds),
    };
    // Typing character by character updates the results as you type.
    await page.fill("#site-search-input", "");
    await page.keyboard.type(query.slice(0, 4), { delay: 30 });
    await page.waitForFunction(() => !document.querySelector(".search-popup").hidden, null, { timeout: 30000 });
    await page.keyboard.type(query.slice(4), { delay: 30 });
    await page.waitForFunction((t) => {
      const r = document.querySelector(".search-popup .result .result-title");
      return r && r.textContent === t;
    }, out.instant.first, { timeout: 30000 });
    // Keyboard: the first result, then Enter opens it.
    await page.keyboard.press("ArrowDown");
    out.activeSelected = await page.getAttribute("#search-opt-0", "aria-selected");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    out.openedTitle = await page.textContent("h1");

    // The search page: a facet narrows the list, and the URL keeps the state.
    await page.goto(url + "/search/?q=" + encodeURIComponent(query.split(" ")[0]), { waitUntil: "load" });
    await page.waitForSelector("#search-results .result", { timeout: 30000 });
    const all = await page.locator("#search-results .result").count();
    const facet = page.locator("#search-facets input[data-group=tag]").first();
    out.facetLabel = (await facet.evaluate((e) => e.parentElement.textContent)).trim();
    await facet.check();
    await page.waitForFunction((n) => document.querySelectorAll("#search-results .result").length < n, all, { timeout: 30000 });
    out.facets = {
      before: all,
      after: await page.locator("#search-results .result").count(),
      status: await page.textContent("#search-status"),
      url: page.url(),
    };

    // The action tracker's filter hides rows.
    await page.goto(url + "/actions/", { waitUntil: "load" });
    const rows = await page.locator("#action-table tbody tr").count();
    await page.selectOption("#action-filters select[name=status]", "done");
    out.actions = { rows, visibleDone: await page.locator("#action-table tbody tr:not([hidden])").count() };

    // Opened from a folder, as a downloaded CI artifact: search still works.
    const local = await browser.newPage();
    local.on("pageerror", (e) => out.errors.push("file: " + String(e)));
    await local.goto("file://" + path.join(site, "search/index.html") + "?q=" + encodeURIComponent(query), { waitUntil: "load" });
    await local.waitForSelector("#search-results .result", { timeout: 30000 });
    out.file = { first: await local.textContent("#search-results .result .result-title") };
    const home = await browser.newPage();
    await home.goto("file://" + path.join(site, "index.html"), { waitUntil: "load" });
    out.file.postmortemsLink = await home.getAttribute(".site-nav a", "href");
  } finally {
    await browser.close();
    server.close();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
