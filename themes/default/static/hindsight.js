// hindsight default theme script. Small, dependency-free, loaded with `defer`.
//
// Opened from a folder (file://, e.g. a downloaded CI artifact) there is no server to turn
// `postmortems/x/` into `postmortems/x/index.html`, so links to folders are pointed at their
// index.html. On a web server this does nothing.
(function () {
  "use strict";
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
