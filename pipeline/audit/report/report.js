(function () {
  "use strict";
  var SEVERITIES = ["error", "warning", "info"];
  var chosen = null; // the finding whose evidence was last scrolled to

  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function checked(name) { return all("input[name=" + name + "]:checked").map(function (i) { return i.value; }); }
  function count(name) { return all("input[name=" + name + "]").length; }

  // The fragment: severity=a,b&rule=c&finding=f0-3. A part that cannot be decoded is ignored,
  // so a malformed link still loads the filters.
  function readHash() {
    var params = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq <= 0) { return; }
      var value;
      try { value = decodeURIComponent(part.slice(eq + 1)); } catch (e) { return; }
      params[part.slice(0, eq)] = value;
    });
    return params;
  }

  function fromHash() {
    var params = readHash();
    ["severity", "rule"].forEach(function (name) {
      if (params[name] === undefined) { return; }
      var wanted = params[name].split(",");
      all("input[name=" + name + "]").forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
    });
    return params.finding || null;
  }

  function writeHash() {
    var parts = [], sev = checked("severity"), rules = checked("rule");
    if (sev.length !== count("severity")) { parts.push("severity=" + sev.map(encodeURIComponent).join(",")); }
    if (rules.length !== count("rule")) { parts.push("rule=" + rules.map(encodeURIComponent).join(",")); }
    if (chosen) { parts.push("finding=" + encodeURIComponent(chosen)); }
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash) { history.replaceState(null, "", hash || location.pathname + location.search); }
  }

  function apply() {
    var sev = checked("severity"), rules = checked("rule");
    var filtered = sev.length !== count("severity") || rules.length !== count("rule");
    var shown = 0, perRule = {}, perSeverity = {};
    all("li.finding").forEach(function (li) {
      var on = sev.indexOf(li.dataset.severity) >= 0 && rules.indexOf(li.dataset.rule) >= 0;
      li.hidden = !on;
      if (on) {
        shown++;
        perSeverity[li.dataset.severity] = (perSeverity[li.dataset.severity] || 0) + 1;
        var key = li.dataset.rule + "|" + li.dataset.severity;
        perRule[key] = (perRule[key] || 0) + 1;
      }
    });
    all("mark[data-findings]").forEach(function (m) {
      var on = m.dataset.findings.split(" ").some(function (id) {
        var li = document.getElementById(id); return li && !li.hidden;
      });
      m.classList.toggle("off", !on);
    });
    all("article.page").forEach(function (a) {
      var lis = all("li.finding:not([hidden])", a);
      a.querySelector(".shown").textContent = lis.length;
      var row = document.getElementById("index-" + a.id);
      if (!row) { return; }
      SEVERITIES.forEach(function (s) {
        row.querySelector("td[data-severity=" + s + "]").textContent =
          lis.filter(function (li) { return li.dataset.severity === s; }).length;
      });
      row.querySelector("td.total").textContent = lis.length;
      row.hidden = filtered && lis.length === 0;
    });
    document.getElementById("shown-total").textContent = shown;
    all("[data-count-severity]").forEach(function (span) {
      span.querySelector(".n").textContent = perSeverity[span.dataset.countSeverity] || 0;
    });
    drawChart(perRule);
    writeHash();
  }

  // The chart from the findings the filters leave: one row per rule, bars stacked by severity.
  function drawChart(perRule) {
    var chart = document.querySelector("svg.chart");
    if (!chart) { return; }
    var label = +chart.dataset.label, width = +chart.dataset.width, row = +chart.dataset.row;
    var totals = {}, top = 0;
    all("g.bar-row", chart).forEach(function (g) {
      var t = 0;
      SEVERITIES.forEach(function (s) { t += perRule[g.dataset.rule + "|" + s] || 0; });
      totals[g.dataset.rule] = t; top = Math.max(top, t);
    });
    var y = 0;
    all("g.bar-row", chart).forEach(function (g) {
      var total = totals[g.dataset.rule];
      // an SVG element has no `hidden` property: the display attribute hides it
      if (total === 0) { g.setAttribute("display", "none"); return; }
      g.removeAttribute("display");
      var x = label;
      g.setAttribute("transform", "translate(0," + y + ")");
      all("rect.bar", g).forEach(function (r) {
        var n = perRule[g.dataset.rule + "|" + r.dataset.severity] || 0;
        var w = n ? Math.max(2, Math.round((width - label - 30) * n / top)) : 0;
        r.setAttribute("x", x); r.setAttribute("width", w); r.dataset.count = n;
        x += w;
      });
      var t = g.querySelector("text.total");
      t.setAttribute("x", x + 4); t.textContent = total;
      y += row;
    });
    chart.setAttribute("height", y);
    chart.setAttribute("viewBox", "0 0 " + width + " " + y);
  }

  // A finding chosen (clicked, or named in the fragment): its evidence outlined and scrolled to.
  function choose(id, scroll) {
    var li = id && document.getElementById(id);
    all("mark.focus").forEach(function (m) { m.classList.remove("focus"); });
    all("li.finding.chosen").forEach(function (l) { l.classList.remove("chosen"); });
    chosen = li ? id : null;
    if (!li) { writeHash(); return; }
    li.classList.add("chosen");
    var marks = all("mark[data-findings]").filter(function (m) {
      return m.dataset.findings.split(" ").indexOf(id) >= 0;
    });
    marks.forEach(function (m) { m.classList.add("focus"); });
    if (scroll) { (marks[0] || li.closest("article")).scrollIntoView({block: "center"}); }
    writeHash();
  }

  all(".filters input").forEach(function (i) { i.addEventListener("change", apply); });
  all("li.finding").forEach(function (li) {
    li.addEventListener("click", function () { choose(li.id, true); });
  });
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("=") < 0) { return; } // an anchor of the index, not a view
    var finding = fromHash(); apply(); choose(finding, true);
  });
  var first = fromHash();
  apply();
  if (first) { choose(first, true); }
})();
