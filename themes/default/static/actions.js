// Filters of the action tracker, without a server. On a tracker that fits one page they hide
// rows; on a longer one, split into a page per status and per owner, they open that page.
// The table works without this script.
(function () {
  "use strict";
  var form = document.getElementById("action-filters");
  var table = document.getElementById("action-table");
  if (!form) return;
  if (form.dataset.paged === "true") {
    form.owner.value = form.dataset.owner || "";
    form.addEventListener("change", function (e) {
      var option = e.target.selectedOptions && e.target.selectedOptions[0];
      if (option && option.dataset.href) window.location.href = option.dataset.href;
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    return;
  }
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var count = document.getElementById("action-count");
  var params = new URLSearchParams(window.location.search);
  form.status.value = params.get("status") || "";
  form.owner.value = params.get("owner") || "";
  function apply() {
    var status = form.status.value;
    var owner = form.owner.value;
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!status || row.dataset.status.split(" ").indexOf(status) >= 0) &&
        (!owner || row.dataset.owner === owner);
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " of " + rows.length + " shown";
    var q = new URLSearchParams();
    if (status) q.set("status", status);
    if (owner) q.set("owner", owner);
    var query = q.toString();
    if (window.location.protocol !== "file:") {
      history.replaceState(null, "", query ? "?" + query : window.location.pathname);
    }
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();
})();
