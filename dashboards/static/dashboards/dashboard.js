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
    if (!charts[id] || charts[id].isDisposed()) {
      // SVG: crisp when printed, and its labels are text a test (or a screen reader) can read.
      charts[id] = window.echarts.init(el, null, { renderer: "svg" });
    }
    return charts[id];
  }

  function resizeAll() {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  }
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) printing.addEventListener("change", resizeAll);
  }

  function data() {
    var el = document.getElementById("dash-charts");
    return el ? JSON.parse(el.textContent) : null;
  }

  function casesUrl() {
    var el = document.getElementById("dash-cases-url");
    return el ? el.dataset.url : null;
  }

  // 1234.5 -> "1,234.50" (万元 on the axes and tooltips).
  function wan(v) {
    return Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function count(v) { return Number(v).toLocaleString("en-US"); }

  function narrow(el) { return el && el.clientWidth < 420; }

  function draw() {
    var d = data();
    if (!d) return;
    var W = gettextSafe("万元");
    var trend = chart("chart-trend");
    if (trend) {
      var small = narrow(document.getElementById("chart-trend"));
      trend.setOption({
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            var row = d.series[items[0].dataIndex];
            var lines = [row.period];
            items.forEach(function (it) {
              lines.push(it.marker + it.seriesName + "：" + (it.seriesIndex === 0 ? count(it.value) + " " + gettextSafe("起")
                : wan(it.value) + " " + W));
            });
            return lines.join("<br>");
          }
        },
        legend: { data: [gettextSafe("发案数"), gettextSafe("损失金额"), gettextSafe("止付金额")], top: 0 },
        grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.series.map(function (r) { return r.period.slice(5); }),
                 axisLabel: { hideOverlap: true } },
        yAxis: [
          { type: "value", name: gettextSafe("起"), minInterval: 1, axisLabel: { formatter: count } },
          { type: "value", name: W, axisLabel: { formatter: function (v) { return count(v); } },
            splitLine: { show: false } }
        ],
        series: [
          { name: gettextSafe("发案数"), type: "line", data: d.series.map(function (r) { return r.cases; }) },
          { name: gettextSafe("损失金额"), type: "bar", yAxisIndex: 1, data: d.series.map(function (r) { return r.loss; }) },
          { name: gettextSafe("止付金额"), type: "bar", yAxisIndex: 1, data: d.series.map(function (r) { return r.stopped; }) }
        ]
      }, true);
      if (small) trend.setOption({ legend: { itemGap: 6, textStyle: { fontSize: 11 } } });
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
    if (typ) {
      // Short names in the legend, the full name and the money in the tooltip: nothing is cut.
      var shortOf = {};
      d.typologies.forEach(function (t) { shortOf[t.name] = t.short; });
      typ.setOption({
        tooltip: { trigger: "item", formatter: function (p) {
          var t = d.typologies[p.dataIndex];
          return p.marker + t.name + "：" + count(t.value) + " " + gettextSafe("起") + "（" + p.percent + "%）<br>"
            + gettextSafe("损失金额") + " " + wan(t.loss) + " " + W;
        } },
        legend: { type: "scroll", bottom: 0, formatter: function (name) { return shortOf[name] || name; } },
        series: [{ type: "pie", radius: ["32%", "60%"], center: ["50%", "44%"], label: { formatter: "{d}%" },
                   data: d.typologies.map(function (t) { return { name: t.name, value: t.value }; }) }]
      }, true);
    }
    var ages = chart("chart-ages");
    if (ages) ages.setOption({
      tooltip: {}, grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      // Every band labelled: no label is skipped, long ones wrap instead.
      xAxis: { type: "category", data: d.ages.map(function (a) { return a.name; }),
               axisLabel: { interval: 0, width: 64, overflow: "break", fontSize: 11 } },
      yAxis: { type: "value", name: gettextSafe("人"), minInterval: 1 },
      series: [{ type: "bar", label: { show: true, position: "top", formatter: function (p) { return count(p.value); } },
                 data: d.ages.map(function (a) { return a.value; }) }]
    }, true);
    var ranked = chart("chart-ranked");
    if (ranked) {
      ranked.setOption({
        tooltip: {}, grid: { left: 8, right: 44, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: "", axisLabel: { hideOverlap: true } },
        yAxis: { type: "category", inverse: true, axisLabel: { interval: 0, width: 90, overflow: "truncate" },
                 data: d.ranked.map(function (r) { return r.name; }) },
        series: [{ type: "bar", name: gettextSafe("万人发案率"), label: { show: true, position: "right" },
                   data: d.ranked.map(function (r) { return r.rate; }) }]
      }, true);
      ranked.off("click");
      ranked.on("click", function (p) {
        var u = new URL(window.location.href);
        u.searchParams.set("region", d.ranked[p.dataIndex].code);
        window.location.href = u.pathname + u.search;
      });
    }
    var money = chart("chart-money");
    if (money) {
      var keys = ["loss", "stopped", "frozen", "returned"];
      money.setOption({
        tooltip: { formatter: function (p) { return p.name + "：" + wan(p.value) + " " + W + "<br>" + d.money_yuan[keys[p.dataIndex]]; } },
        grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "category", axisLabel: { interval: 0 },
                 data: [gettextSafe("损失"), gettextSafe("止付"), gettextSafe("冻结"), gettextSafe("返还")] },
        yAxis: { type: "value", name: W, axisLabel: { formatter: count } },
        series: [{ type: "bar", label: { show: true, position: "top", formatter: function (p) { return wan(p.value); } },
                   data: keys.map(function (k) { return d.money[k]; }) }]
      }, true);
    }
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
