/*
 * The dashboard's charts (vendored ECharts). Data comes from the json_script "dash-charts" in
 * the live partial; when live.js re-fetches that partial (event "stats.refreshed") the charts
 * are redrawn from the new data. Clicking a point leads to the list behind it: a day of the
 * trend to its cases, a region bar to that region's dashboard.
 */
(function () {
  "use strict";
  if (!window.echarts) return;
  var charts = {};

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    if (!charts[id]) {
      charts[id] = window.echarts.init(el);
      window.addEventListener("resize", function () { charts[id].resize(); });
    }
    return charts[id];
  }

  function data() {
    var el = document.getElementById("dash-charts");
    return el ? JSON.parse(el.textContent) : null;
  }

  function casesUrl() {
    var el = document.getElementById("dash-cases-url");
    return el ? el.dataset.url : null;
  }

  function draw() {
    var d = data();
    if (!d) return;
    var trend = chart("chart-trend");
    if (trend) {
      trend.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [gettextSafe("发案数"), gettextSafe("损失金额"), gettextSafe("止付金额")] },
        xAxis: { type: "category", data: d.series.map(function (r) { return r.period; }) },
        yAxis: [{ type: "value", name: gettextSafe("起") }, { type: "value", name: gettextSafe("元") }],
        series: [
          { name: gettextSafe("发案数"), type: "line", data: d.series.map(function (r) { return r.cases; }) },
          { name: gettextSafe("损失金额"), type: "bar", yAxisIndex: 1, data: d.series.map(function (r) { return r.loss; }) },
          { name: gettextSafe("止付金额"), type: "bar", yAxisIndex: 1, data: d.series.map(function (r) { return r.stopped; }) }
        ]
      }, true);
      trend.off("click");
      trend.on("click", function (p) {
        var base = casesUrl();
        if (!base) return;
        var u = new URL(base, window.location.origin);
        var day = d.series[p.dataIndex].period;
        var next = d.series[p.dataIndex + 1];
        u.searchParams.set("date_from", day);
        if (next) {
          var last = new Date(next.period); last.setDate(last.getDate() - 1);
          u.searchParams.set("date_to", last.toISOString().slice(0, 10));
        }
        window.location.href = u.pathname + u.search;
      });
    }
    var typ = chart("chart-typology");
    if (typ) typ.setOption({ tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["35%", "70%"], data: d.typologies }] }, true);
    var ages = chart("chart-ages");
    if (ages) ages.setOption({
      tooltip: {}, xAxis: { type: "category", data: d.ages.map(function (a) { return a.name; }) },
      yAxis: { type: "value" }, series: [{ type: "bar", data: d.ages.map(function (a) { return a.value; }) }]
    }, true);
    var ranked = chart("chart-ranked");
    if (ranked) {
      ranked.setOption({
        tooltip: {}, grid: { left: 90 },
        xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: d.ranked.map(function (r) { return r.name; }) },
        series: [{ type: "bar", data: d.ranked.map(function (r) { return r.rate; }) }]
      }, true);
      ranked.off("click");
      ranked.on("click", function (p) {
        var u = new URL(window.location.href);
        u.searchParams.set("region", d.ranked[p.dataIndex].code);
        window.location.href = u.pathname + u.search;
      });
    }
    var money = chart("chart-money");
    if (money) money.setOption({
      tooltip: {},
      xAxis: { type: "category", data: [gettextSafe("损失"), gettextSafe("止付"), gettextSafe("冻结"), gettextSafe("返还")] },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: [d.money.loss, d.money.stopped, d.money.frozen, d.money.returned] }]
    }, true);
  }

  // Chart labels come translated from the page (json_script "dash-labels": source -> shown).
  var labels = null;
  function gettextSafe(s) {
    if (labels === null) {
      var el = document.getElementById("dash-labels");
      labels = el ? JSON.parse(el.textContent) : {};
    }
    return labels[s] || s;
  }

  document.addEventListener("DOMContentLoaded", draw);
  if (document.readyState !== "loading") draw();
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail && e.detail.target && e.detail.target.id === "dash-figures") draw();
  });
})();
