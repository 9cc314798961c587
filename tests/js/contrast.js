// WCAG contrast of every visible piece of text on the given pages of a built site, in light
// and dark mode, in Debian's Chromium: the computed text colour against the first opaque
// background behind it. Prints one JSON object: { checked, failures: [...] }.
//
//   node contrast.js SITE_DIR PAGE...
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");
const { serve } = require("./static_server");

function audit() {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const blend = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  // The background behind an element: its and its ancestors' background colours, blended.
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
    return bg;
  };
  const out = { checked: 0, failures: [] };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || style.display === "none" || box.width === 0 || box.height === 0) continue;
    if (el.closest("svg, [hidden], .sr-only, .visually-hidden")) continue; // charts have their own tables
    if (el.closest(".skip-link") && box.bottom < 0) continue; // shown on focus only
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el);
    const text = blend(fg, bg);
    const [hi, lo] = [lum(text), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const need = large ? 3 : 4.5;
    out.checked++;
    if (ratio < need) {
      out.failures.push({ text: n.textContent.trim().slice(0, 40), cls: el.className && String(el.className), tag: el.tagName,
        ratio: Math.round(ratio * 100) / 100, need, color: style.color });
    }
  }
  return out;
}

async function main() {
  const site = path.resolve(process.argv[2]);
  const pages = process.argv.slice(3);
  const { server, url } = await serve(site);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  const result = { checked: 0, failures: [] };
  try {
    for (const scheme of ["light", "dark"]) {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
      const tab = await context.newPage();
      for (const page of pages) {
        await tab.goto(url + page, { waitUntil: "load" });
        const r = await tab.evaluate(audit);
        result.checked += r.checked;
        r.failures.forEach((f) => result.failures.push(Object.assign({ page, scheme }, f)));
      }
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(JSON.stringify(result));
}

main().catch((e) => { console.error(e); process.exit(1); });
