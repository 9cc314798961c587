// Opens EVERY HTML page of a built site in Debian's Chromium and reports whether any script an
// author smuggled in ran: dialogs (`alert`), writes to `window.pwned` (trapped before any of
// the page's scripts run, so even a transient write counts), Content-Security-Policy
// violations (a violation means hostile markup reached the DOM and only the policy stopped
// it), script errors, and whether the page carries the theme's CSP meta tag. It also drives
// the search box, the search page (hostile query in the URL) and the action filter, whose
// results are built by script. Prints one JSON object; the Rust test asserts on it.
//
//   node hostile_pages.js SITE_DIR QUERY
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");
const { serve } = require("./static_server");

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];

// Runs in every document before its own scripts (injected by the DevTools protocol, so the
// page's CSP does not apply to it). Reports go through a binding, so what a document does
// just before it navigates away (an alias's redirect page) is not lost.
function trap() {
  const report = (kind, data) => window.__hostileReport(kind, Object.assign({ url: location.href }, data));
  let value;
  Object.defineProperty(window, "pwned", {
    configurable: false,
    get() { return value; },
    set(v) { report("write", { value: String(v) }); value = v; },
  });
  document.addEventListener("securitypolicyviolation", (e) => {
    report("violation", { directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI, line: e.lineNumber });
  });
  document.addEventListener("DOMContentLoaded", () => {
    report("document", {
      csp: Array.from(document.querySelectorAll("meta[http-equiv]"))
        .filter((m) => m.httpEquiv.toLowerCase() === "content-security-policy").map((m) => m.content),
      // Inline scripts other than JSON data (the theme has none; the CSP would block one).
      inlineScripts: Array.from(document.scripts).filter((s) => !s.src && s.type !== "application/json").length,
    });
  });
}

function htmlFiles(dir, rel, out) {
  for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? rel + "/" + name : name;
    const stat = fs.statSync(path.join(dir, r));
    if (stat.isDirectory()) htmlFiles(dir, r, out);
    else if (name.endsWith(".html")) out.push(r);
  }
  return out;
}

async function settle(page) {
  await page.waitForLoadState("load");
  // Two frames: image errors, `ontoggle` and other deferred handlers have fired by then.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function observe(page, label, state) {
  let url = null, pwned = null;
  // A redirect page (an alias) navigates away on its own: look at wherever it ends up.
  for (let attempt = 0; attempt < 3 && url === null; attempt++) {
    try {
      await settle(page);
      [url, pwned] = await page.evaluate(() => [location.href, window.pwned === undefined ? null : String(window.pwned)]);
    } catch (e) {
      if (attempt === 2) throw e;
      await page.waitForTimeout(100);
    }
  }
  const take = (k) => state[k].splice(0);
  return { page: label, url, pwned, documents: take("documents"), writes: take("writes"), violations: take("violations"),
    dialogs: take("dialogs"), errors: take("errors"), consoleCsp: take("consoleCsp") };
}

async function main() {
  const site = path.resolve(process.argv[2]);
  const query = process.argv[3];
  const { server, url } = await serve(site);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const out = { pages: [], interactions: [] };
  try {
    const context = await browser.newContext();
    const state = { documents: [], writes: [], violations: [], dialogs: [], errors: [], consoleCsp: [] };
    await context.exposeBinding("__hostileReport", (_source, kind, data) => { state[kind + "s"].push(data); });
    await context.addInitScript(trap);
    // Nothing leaves 127.0.0.1: hostile markup may point at other hosts.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    page.on("dialog", (d) => { state.dialogs.push(d.type() + ": " + d.message()); d.dismiss().catch(() => {}); });
    page.on("pageerror", (e) => state.errors.push(String(e)));
    page.on("console", (m) => {
      const text = m.text();
      if (/Content Security Policy/i.test(text)) state.consoleCsp.push(text);
      else if (m.type() === "error" && !/Failed to load resource|ERR_FAILED|ERR_BLOCKED/.test(text)) state.errors.push(text);
    });

    for (const rel of htmlFiles(site, "", [])) {
      const href = url + "/" + rel.split("/").map(encodeURIComponent).join("/");
      await page.goto(href, { waitUntil: "load" });
      out.pages.push(await observe(page, rel, state));
    }

    // Script-built markup: header search results for a word of the hostile titles, the
    // search page with results and facets (and hostile queries taken from the URL), the
    // action tracker's owner filter (its options are hostile owners), and the search page
    // opened from a folder (file://, where the index loads through <script> tags). A step
    // that fails is recorded, not fatal: hostile markup may well break a page.
    async function step(label, run) {
      let extra = {}, failed = null;
      try { extra = await run(); } catch (e) { failed = String(e.message || e).split("\n")[0]; }
      const entry = Object.assign(await observe(page, label, state), extra);
      if (failed) entry.errors.push("step failed: " + failed);
      out.interactions.push(entry);
    }
    await step("header search: " + query, async () => {
      await page.goto(url + "/", { waitUntil: "load" });
      await page.focus("#site-search-input");
      await page.fill("#site-search-input", query);
      await page.waitForFunction(() => {
        const box = document.querySelector(".search-popup");
        return box && !box.hidden && box.querySelector(".result, .result-more, .result-error");
      }, null, { timeout: 10000 });
      return { results: await page.locator(".search-popup .result").count() };
    });
    for (const q of [query, "<img src=x onerror=window.pwned='query'>", "\"><script>window.pwned='query2'</script>"]) {
      await step("search page: " + q, async () => {
        await page.goto(url + "/search/?q=" + encodeURIComponent(q) + "&tag=xss", { waitUntil: "load" });
        await page.waitForFunction(() => {
          const s = document.querySelector("#search-status");
          return s && /postmortem/.test(s.textContent) && !/Type to search/.test(s.textContent);
        }, null, { timeout: 10000 });
        return { results: await page.locator("#search-results .result").count(),
          facets: await page.locator("#search-facets input").count() };
      });
    }
    await step("action filter", async () => {
      await page.goto(url + "/actions/", { waitUntil: "load" });
      const select = "#action-filters select[name=owner]";
      const owners = await page.locator(select + " option").evaluateAll((o) => o.map((x) => x.value));
      for (const owner of owners) await page.selectOption(select, owner);
      return { owners: owners.length };
    });
    await step("file:// search page", async () => {
      await page.goto("file://" + path.join(site, "search/index.html") + "?q=" + encodeURIComponent(query), { waitUntil: "load" });
      await page.waitForSelector("#search-results .result", { timeout: 10000 });
      return { results: await page.locator("#search-results .result").count() };
    });
  } finally {
    await browser.close();
    server.close();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
