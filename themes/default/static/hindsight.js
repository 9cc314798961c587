// hindsight default theme script. Small, dependency-free, loaded with `defer`.
(function () {
  "use strict";
  // The header's search box loads the search engine on first use, so pages that never search
  // never download it. `/` focuses the box.
  var input = document.getElementById("site-search-input");
  var me = document.currentScript;
  var loaded = false;
  function loadSearch() {
    if (loaded || !me || document.getElementById("search-page")) return;
    loaded = true;
    // The engine and the index's manifest load in parallel (one round trip).
    var root = me.src.replace(/assets\/hindsight\.js(\?.*)?$/, "");
    ["assets/search.js", "search/manifest.js"].forEach(function (file) {
      var s = document.createElement("script");
      s.src = root + file;
      document.head.appendChild(s);
    });
  }
  if (input) {
    input.addEventListener("focus", loadSearch);
    document.addEventListener("keydown", function (e) {
      var t = e.target.tagName;
      if (e.key === "/" && t !== "INPUT" && t !== "TEXTAREA" && t !== "SELECT" && !e.target.isContentEditable) {
        e.preventDefault();
        input.focus();
      }
    });
  }

  // Opened from a folder (file://, e.g. a downloaded CI artifact) there is no server to turn
  // `postmortems/x/` into `postmortems/x/index.html`, so links to folders are pointed at their
  // index.html. On a web server this does nothing.
  if (window.location.protocol !== "file:") return;
  document.querySelectorAll("a[href]").forEach(function (a) {
    var href = a.getAttribute("href");
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.charAt(0) === "#" || href.charAt(0) === "/") return;
    var hash = "";
    var i = href.indexOf("#");
    if (i >= 0) { hash = href.slice(i); href = href.slice(0, i); }
    if (href === "" ) return;
    if (href.charAt(href.length - 1) === "/") a.setAttribute("href", href + "index.html" + hash);
    else if (href === "." || href === "..") a.setAttribute("href", href + "/index.html" + hash);
  });
})();
