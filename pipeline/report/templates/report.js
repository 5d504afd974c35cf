/* Filters, sorting and the detail dialog of report.html. Vanilla, no network.
   Data comes only from the JSON block (#report-data) and is only ever put
   into the page as text; the detail dialog shows a copy of the already
   rendered (escaped) detail article. */
(function () {
  "use strict";
  document.documentElement.classList.add("js"); /* already set in <head>; kept for a copy without it */

  var rows = JSON.parse(document.getElementById("report-data").textContent).rows;
  var byIndex = {};
  rows.forEach(function (d) { byIndex[String(d.index)] = d; });

  var table = document.getElementById("resources");
  var tbody = table.tBodies[0];
  var trs = Array.prototype.slice.call(tbody.rows);
  var form = document.getElementById("filters");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var search = document.getElementById("filter-text");
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");
  var collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

  function dataOf(tr) { return byIndex[tr.getAttribute("data-index")]; }

  /* ---- filtering ------------------------------------------------------- */

  function matches(d) {
    for (var i = 0; i < selects.length; i++) {
      var wanted = selects[i].value;
      if (wanted && wanted !== "v:" + d[selects[i].getAttribute("data-key")]) { return false; }
    }
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    return words.every(function (w) { return d.search.indexOf(w) !== -1; });
  }

  function applyFilters() {
    var count = 0;
    trs.forEach(function (tr) {
      var keep = matches(dataOf(tr));
      tr.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = count === trs.length
      ? "Showing all " + trs.length + " resources."
      : "Showing " + count + " of " + trs.length + " resources.";
    noMatch.hidden = count !== 0;
  }

  form.hidden = false;
  form.addEventListener("input", applyFilters);
  form.addEventListener("change", applyFilters);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(applyFilters, 0); });
  applyFilters();

  /* ---- sorting --------------------------------------------------------- */

  var keys = {
    severity: function (d) { return d.severityRank; },
    resource: function (d) { return d.id; },
    publisher: function (d) { return d.publisher; },
    hub: function (d) { return d.hub; },
    availability: function (d) { return d.availabilityRank; },
    what: function (d) { return d.what; },
    status: function (d) { return d.status; },
    url: function (d) { return d.url; }
  };
  var headers = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-sort]"));
  var state = { key: "severity", dir: -1 };

  function compareValues(x, y) {
    if (typeof x === "string" && typeof y === "string") { return collator.compare(x, y); }
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  function sortBy(key, dir) {
    var get = keys[key];
    trs.sort(function (a, b) {
      var da = dataOf(a), db = dataOf(b);
      var x = get(da), y = get(db);
      var empty = (x === null || x === "") - (y === null || y === "");
      if (empty !== 0) { return empty; } /* missing values last, either way */
      return dir * compareValues(x, y) || da.index - db.index;
    });
    trs.forEach(function (tr) { tbody.appendChild(tr); });
    headers.forEach(function (th) {
      var own = th.getAttribute("data-sort") === key;
      th.setAttribute("aria-sort", own ? (dir > 0 ? "ascending" : "descending") : "none");
    });
    state = { key: key, dir: dir };
  }

  headers.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-sort");
      var first = key === "severity" ? -1 : 1; /* worst first, otherwise A to Z */
      sortBy(key, state.key === key ? -state.dir : first);
    });
  });

  /* ---- the detail dialog ----------------------------------------------- */

  var dialog = document.getElementById("detail-dialog");
  var body = document.getElementById("dialog-body");
  var opener = null;

  function openDetail(index, trigger) {
    var source = document.getElementById("detail-" + index);
    if (!source || typeof dialog.showModal !== "function") { return false; }
    var copy = source.cloneNode(true);
    copy.removeAttribute("id");
    copy.removeAttribute("aria-labelledby");
    Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (el) {
      el.removeAttribute("id");
    });
    var heading = copy.querySelector("h3");
    if (heading) { heading.id = "dialog-heading"; }
    body.replaceChildren(copy);
    opener = trigger;
    dialog.showModal();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.open-detail") : null;
    if (link && openDetail(link.getAttribute("data-index"), link)) { event.preventDefault(); }
  });
  document.getElementById("dialog-close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) { dialog.close(); } /* a click on the backdrop */
  });
  dialog.addEventListener("close", function () {
    body.replaceChildren();
    if (opener) { opener.focus(); }
    opener = null;
  });

  var wanted = /^#detail-(\d+)$/.exec(window.location.hash);
  if (wanted) { openDetail(wanted[1], null); }
}());
