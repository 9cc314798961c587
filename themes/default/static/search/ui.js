// ---------------------------------------------------------------------------------------
// The browser front end: the header's instant search and the search page.
var api = {
  add: add, analyze: analyze, terms: terms, fold: fold, stem: stemEnglish, termOfFolded: termOfFolded,
  parseQuery: parseQuery, search: search, evaluate: evaluate, cardsOf: cardsOf, snippet: snippet,
  fileOf: fileOf, slugify: slugify, data: data
};
global.hindsightSearch = api;
if (typeof module !== "undefined" && module.exports) module.exports = api;
// Data files that arrived before this script queued themselves; later ones call add().
(global.hsq || []).forEach(function (entry) { add(entry[0], entry[1]); });
global.hsq = { push: function (entry) { add(entry[0], entry[1]); } };

if (typeof document !== "undefined") (function () {
  var script = document.currentScript;
  var root = script ? script.src.replace(/assets\/search\.js(\?.*)?$/, "") : "";
  var requested = {};
  var manifest = null;
  // Milliseconds a query that needs a file waits for the next key before fetching it.
  var DEBOUNCE = 60;
  var STALE = {};

  function loadKey(key) {
    if (data[key] !== undefined) return Promise.resolve(data[key]);
    if (!requested[key]) {
      requested[key] = new Promise(function (resolve, reject) {
        (waiting[key] = waiting[key] || []).push(resolve);
        var src = root + fileOf(key);
        // The manifest may already be on its way (hindsight.js requests it with this script).
        for (var e = document.scripts, k = 0; k < e.length; k++) if (e[k].src === src) return;
        var s = document.createElement("script");
        s.src = src;
        s.async = true;
        s.onerror = function () { delete requested[key]; reject(new Error("cannot load " + s.src)); };
        document.head.appendChild(s);
      });
    }
    return requested[key];
  }
  function load(keys) { return Promise.all(keys.map(loadKey)); }
  function getManifest() {
    if (manifest) return Promise.resolve(manifest);
    var inline = document.getElementById("search-manifest");
    if (inline) { manifest = JSON.parse(inline.textContent); return Promise.resolve(manifest); }
    return loadKey("manifest").then(function (m) { manifest = m; return m; });
  }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // "2021-06-22" -> "22 Jun 2021", as the pages show dates.
  function humanDate(date) {
    var p = String(date || "").split("-");
    return p.length === 3 ? Number(p[2]) + " " + MONTHS[Number(p[1]) - 1] + " " + p[0] : date;
  }
  function sevBadge(card) {
    return card.severity ? '<span class="sev sev-' + Math.min(card.rank, 4) + '">' + escapeHtml(card.severity) + "</span> " : "";
  }
  function resultHtml(card, terms, id) {
    return '<a class="result" href="' + escapeHtml(root + card.url) + '"' + (id ? ' id="' + id + '" role="option"' : "") + ">" +
      '<span class="result-meta">' + sevBadge(card) + '<time datetime="' + card.date + '">' + humanDate(card.date) + "</time></span>" +
      '<span class="result-title">' + escapeHtml(card.title) + "</span>" +
      '<span class="result-snippet">' + snippet(card, terms) + "</span></a>";
  }

  // The header: results as you type.
  var form = document.querySelector("form.site-search");
  var input = form && form.querySelector("input[name=q]");
  var box = form && form.querySelector(".search-popup");
  if (input && box) {
    var active = -1, serial = 0;
    var options = function () { return box.querySelectorAll("[role=option]"); };
    var setActive = function (i) {
      var list = options();
      if (!list.length) return;
      active = (i + list.length) % list.length;
      list.forEach(function (o, k) { o.setAttribute("aria-selected", k === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", list[active].id);
      list[active].scrollIntoView({ block: "nearest" });
    };
    var close = function () { box.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
    // A query runs at once. Only while keys come faster than DEBOUNCE ms apart does a query
    // that needs a file not loaded yet wait DEBOUNCE ms first, giving up if another key came.
    var run = function (typingFast) {
      var q = input.value, mine = ++serial;
      if (!q.trim()) { close(); return; }
      // One letter is almost always the start of a word: never worth a fetch of its own.
      typingFast = typingFast || q.trim().length < 2;
      var settled = function (keys) {
        if (!typingFast || keys.every(function (k) { return data[k] !== undefined; })) return load(keys);
        return new Promise(function (resolve) { setTimeout(resolve, DEBOUNCE); }).then(function () {
          if (mine !== serial) throw STALE;
          return load(keys);
        });
      };
      getManifest().then(function (m) {
        return search(m, q, { sort: "relevance" }, settled).then(function (r) {
          api.lastRounds = r.rounds;
          var top = r.hits.slice(0, 6).map(function (h) { return h.doc; });
          return cardsOf(m, top, settled).then(function (cards) {
            if (mine !== serial) return;
            var more = '<a class="result-more" href="' + escapeHtml(root + "search/?q=" + encodeURIComponent(q)) + '">' +
              (r.hits.length ? "All results and filters →" : "No postmortem matches. Search page and filters →") + "</a>";
            box.innerHTML = '<div role="listbox" id="site-search-list" aria-label="Matching postmortems">' +
              cards.map(function (c, i) { return resultHtml(c, r.terms, "search-opt-" + i); }).join("") + "</div>" + more;
            box.hidden = false;
            input.setAttribute("aria-expanded", "true");
            active = -1;
          });
        });
      }).catch(function (e) {
        if (e === STALE) return;
        box.innerHTML = '<p class="result-error">Search is unavailable: ' + escapeHtml(String(e.message)) + "</p>"; box.hidden = false;
      });
    };
    var lastKey = 0;
    input.addEventListener("input", function () {
      var now = Date.now(), fast = now - lastKey < DEBOUNCE;
      lastKey = now;
      run(fast);
    });
    input.addEventListener("focus", function () { getManifest(); if (input.value.trim()) run(false); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); setActive(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); window.location.href = options()[active].href; }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) close(); });
    // Loaded on first use (see hindsight.js): answer what was typed meanwhile.
    if (document.activeElement === input && input.value.trim()) run(false);
  }

  // The search page: filters with counts, sorting, ranges, shareable URL.
  var page = document.getElementById("search-page");
  if (!page) return;
  var params = new URLSearchParams(window.location.search);
  var q = page.querySelector("input[name=q]"), sortSel = page.querySelector("select[name=sort]");
  var status = page.querySelector("#search-status"), list = page.querySelector("#search-results");
  var facetBox = page.querySelector("#search-facets"), moreBtn = page.querySelector("#search-more");
  var ranges = { from: page.querySelector("input[name=from]"), to: page.querySelector("input[name=to]"),
    ttrmin: page.querySelector("input[name=ttrmin]"), ttrmax: page.querySelector("input[name=ttrmax]") };
  var groups = ["tag", "service", "severity", "year"];
  var selected = {};
  groups.forEach(function (g) { selected[g] = params.getAll(g); });
  q.value = params.get("q") || "";
  sortSel.value = params.get("sort") === "date" ? "date" : "relevance";
  Object.keys(ranges).forEach(function (k) { ranges[k].value = params.get(k) || ""; });
  var shown = 20, last = null, serialPage = 0, pageTimer = null;
  page.hidden = false;
  var note = document.getElementById("search-noscript");
  if (note) note.hidden = true;

  function dayOf(v) { var t = Date.parse(v + "T00:00:00Z"); return isNaN(t) ? null : Math.floor(t / 86400000); }
  function valuesOf(f, g) {
    if (g === "year") return [String(f.year)];
    if (g === "severity") return f.severity ? [f.severity] : [];
    return g === "tag" ? f.tags : f.services;
  }
  function passesRanges(f) {
    var from = dayOf(ranges.from.value), to = dayOf(ranges.to.value);
    var min = parseFloat(ranges.ttrmin.value), max = parseFloat(ranges.ttrmax.value);
    if (from !== null && f.day < from) return false;
    if (to !== null && f.day > to) return false;
    if (!isNaN(min) || !isNaN(max)) {
      if (!f.minutes) return false;
      var hours = (f.minutes - 1) / 60;
      if (!isNaN(min) && hours < min) return false;
      if (!isNaN(max) && hours > max) return false;
    }
    return true;
  }
  function passesGroups(f, except) {
    return groups.every(function (g) {
      if (g === except || !selected[g].length) return true;
      var have = valuesOf(f, g);
      return selected[g].some(function (v) { return have.indexOf(v) >= 0; });
    });
  }
  function syncUrl() {
    var p = new URLSearchParams();
    if (q.value) p.set("q", q.value);
    if (sortSel.value === "date") p.set("sort", "date");
    groups.forEach(function (g) { selected[g].forEach(function (v) { p.append(g, v); }); });
    Object.keys(ranges).forEach(function (k) { if (ranges[k].value) p.set(k, ranges[k].value); });
    if (window.location.protocol !== "file:") history.replaceState(null, "", "?" + p.toString());
  }
  function label(g, v) {
    if (g === "year") return v;
    var list = manifest.facets[g] || [];
    for (var i = 0; i < list.length; i++) if (list[i][0] === v) return list[i][1];
    return v;
  }
  function renderFacets(hits, facets) {
    facetBox.innerHTML = groups.map(function (g) {
      var counts = {};
      hits.forEach(function (h) {
        var f = facets[h.doc];
        if (!passesRanges(f) || !passesGroups(f, g)) return;
        valuesOf(f, g).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      selected[g].forEach(function (v) { if (!counts[v]) counts[v] = 0; });
      var values = Object.keys(counts).sort(function (a, b) {
        return g === "year" ? b - a : (counts[b] - counts[a]) || cmp(label(g, a), label(g, b));
      });
      if (!values.length) return "";
      var title = { tag: "Tags", service: "Services", severity: "Severity", year: "Year" }[g];
      return '<fieldset class="facet"><legend>' + title + "</legend>" + values.slice(0, 40).map(function (v) {
        var on = selected[g].indexOf(v) >= 0;
        return '<label><input type="checkbox" data-group="' + g + '" value="' + escapeHtml(v) + '"' + (on ? " checked" : "") +
          "> " + escapeHtml(label(g, v)) + ' <span class="count">' + counts[v] + "</span></label>";
      }).join("") + "</fieldset>";
    }).join("");
  }
  function render() {
    var r = last, facets = r.source.facets();
    var hits = r.hits.filter(function (h) { var f = facets[h.doc]; return passesRanges(f) && passesGroups(f, null); });
    renderFacets(r.hits, facets);
    status.textContent = q.value.trim() || groups.some(function (g) { return selected[g].length; })
      ? hits.length + " postmortem" + (hits.length === 1 ? "" : "s")
      : "Type to search every postmortem.";
    var visible = hits.slice(0, shown);
    moreBtn.hidden = hits.length <= shown;
    return cardsOf(manifest, visible.map(function (h) { return h.doc; }), load).then(function (cards) {
      list.innerHTML = cards.map(function (c) { return "<li>" + resultHtml(c, r.terms) + "</li>"; }).join("");
    });
  }
  function runPage() {
    var mine = ++serialPage;
    syncUrl();
    var text = q.value;
    if (!text.trim() && !groups.some(function (g) { return selected[g].length; })) {
      list.innerHTML = "";
      facetBox.innerHTML = "";
      status.textContent = "Type to search every postmortem.";
      moreBtn.hidden = true;
      return;
    }
    getManifest().then(function (m) {
      var found;
      if (text.trim()) {
        found = search(m, text, { sort: sortSel.value, exact: true }, load);
      } else {
        // Only filters selected: every postmortem is a candidate, newest first.
        var all = [];
        for (var d = 0; d < m.n; d++) all.push({ doc: d, score: 0, words: 0 });
        found = Promise.resolve({ hits: all, terms: [], source: new StaticSource(m, true) });
      }
      return found.then(function (r) {
        return load(["ftag", "fservice", "fnum"]).then(function () {
          if (mine !== serialPage) return;
          last = r;
          return render();
        });
      });
    }).catch(function (e) { status.textContent = "Search is unavailable: " + e.message; });
  }
  q.addEventListener("input", function () { shown = 20; clearTimeout(pageTimer); pageTimer = setTimeout(runPage, 80); });
  sortSel.addEventListener("change", function () { shown = 20; runPage(); });
  Object.keys(ranges).forEach(function (k) { ranges[k].addEventListener("change", function () { shown = 20; syncUrl(); if (last) render(); }); });
  facetBox.addEventListener("change", function (e) {
    var box2 = e.target, g = box2.dataset.group;
    if (!g) return;
    var i = selected[g].indexOf(box2.value);
    if (box2.checked && i < 0) selected[g].push(box2.value);
    if (!box2.checked && i >= 0) selected[g].splice(i, 1);
    shown = 20;
    syncUrl();
    if (last) render(); else runPage();
  });
  moreBtn.addEventListener("click", function () { shown += 20; render(); });
  page.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); runPage(); });
  runPage();
})();
