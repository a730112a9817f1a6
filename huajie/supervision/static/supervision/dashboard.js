/* The dashboard's charts (R18). Data comes from the page's <script type="application/json"
 * id="dashboard-data"> block (Django's json_script); this file is static so the page needs no
 * inline JavaScript under a content security policy. ECharts is vendored, never from a CDN. */
(function () {
  "use strict";

  var RED = "#a61b1b", BLUE = "#1a5fb4", GREEN = "#1f7a3d", AMBER = "#9a6700", GREY = "#8c959f";
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif';

  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    // The canvas renderer: the browser test reads its pixels to prove the chart is drawn.
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    option.animation = false;
    option.textStyle = { fontFamily: FONT };
    // ECharts' HTML tooltips are markup with style="" attributes, which the content security
    // policy (style-src 'self') refuses; rich-text tooltips are drawn on the canvas instead.
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    node.setAttribute("data-drawn", "true");
    return chart;
  }

  function title(text) {
    return { text: text, left: "center", textStyle: { fontSize: 15, fontFamily: FONT } };
  }

  function rowsChart(data) {
    var rows = data.rows;
    draw("chart-rows", {
      title: title("各单位进度"),
      tooltip: { trigger: "axis" },
      legend: { top: 26, data: ["任务数", "达标", "已验收", "化解率"] },
      grid: { left: 48, right: 48, top: 64, bottom: 72 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { rotate: rows.length > 6 ? 35 : 0, interval: 0 } },
      yAxis: [{ type: "value", name: "件" },
              { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } }],
      series: [
        { name: "任务数", type: "bar", data: rows.map(function (r) { return r.tasks; }), itemStyle: { color: GREY } },
        { name: "达标", type: "bar", data: rows.map(function (r) { return r.met; }), itemStyle: { color: BLUE } },
        { name: "已验收", type: "bar", data: rows.map(function (r) { return r.accepted; }), itemStyle: { color: GREEN } },
        { name: "化解率", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return r.rate; }),
          itemStyle: { color: RED },
          markLine: { symbol: "none", label: { formatter: "序时进度" }, lineStyle: { color: AMBER, type: "dashed" },
                      data: [{ yAxis: Math.round(data.expected * 1000) / 10 }] } }
      ]
    });
  }

  function progressChart(data) {
    var p = data.progress;
    draw("chart-progress", {
      title: title("未验收案件与年底期限"),
      tooltip: { trigger: "axis" },
      legend: { top: 26, data: ["未验收", "序时进度应余", "按当前进度预测"] },
      grid: { left: 48, right: 24, top: 64, bottom: 40 },
      xAxis: { type: "time", max: data.deadline },
      yAxis: { type: "value", name: "件", min: 0 },
      series: [
        { name: "未验收", type: "line", data: p.open, itemStyle: { color: RED }, areaStyle: { opacity: 0.08 } },
        { name: "序时进度应余", type: "line", data: p.target, symbol: "none", lineStyle: { type: "dashed" }, itemStyle: { color: GREY } },
        { name: "按当前进度预测", type: "line", data: p.forecast, lineStyle: { type: "dotted", width: 2 }, itemStyle: { color: AMBER },
          markLine: { symbol: "none", label: { formatter: "期限" }, lineStyle: { color: RED },
                      data: [{ xAxis: data.deadline }] } }
      ]
    });
  }

  function statusChart(data) {
    draw("chart-status", {
      title: title("案件状态分布（存量）"),
      tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "52%"], data: data.statuses,
                 label: { formatter: "{b}\n{c}" } }]
    });
  }

  function timelineChart(data) {
    var t = data.timeline;
    draw("chart-timeline", {
      title: title("重新信访与新增进京、赴省访"),
      tooltip: { trigger: "axis" },
      legend: { top: 26, data: ["重新信访", "进京访", "赴省访"] },
      grid: { left: 48, right: 24, top: 64, bottom: 56 },
      xAxis: { type: "category", data: t.labels, axisLabel: { rotate: t.labels.length > 10 ? 35 : 0 } },
      yAxis: { type: "value", name: "件次", minInterval: 1 },
      series: [
        { name: "重新信访", type: "bar", data: t.repetitions, itemStyle: { color: RED } },
        { name: "进京访", type: "bar", stack: "visits", data: t.beijing, itemStyle: { color: AMBER } },
        { name: "赴省访", type: "bar", stack: "visits", data: t.province, itemStyle: { color: BLUE } }
      ]
    });
  }

  function gridChart(data) {
    var g = data.grid;
    if (!g) { return; }
    var node = document.getElementById("chart-grid");
    if (node) { node.style.height = Math.max(160, 48 + g.areas.length * 34) + "px"; }
    var columns = [];
    for (var i = 0; i < g.width; i += 1) { columns.push(i === 0 ? "中院/本院" : String(i)); }
    draw("chart-grid", {
      title: title("各法院化解率"),
      tooltip: { formatter: function (item) {
        var v = item.data[2];
        return item.data[3] + "：" + (v === null ? "无任务" : v + "%");
      } },
      grid: { left: 12, right: 24, top: 40, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: columns, show: false },
      yAxis: { type: "category", data: g.areas, inverse: true },
      visualMap: { dimension: 2, min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                   text: ["100%", "0%"], inRange: { color: ["#b42318", "#f0b429", "#1f7a3d"] } },
      series: [{ type: "heatmap", data: g.cells.map(function (c) { return [c[0], c[1], c[2] === null ? "-" : c[2], c[3]]; }),
                 label: { show: true, fontSize: 10, formatter: function (item) { return item.data[3]; } },
                 itemStyle: { borderColor: "#fff", borderWidth: 2 } }]
    });
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    rowsChart(data);
    progressChart(data);
    statusChart(data);
    timelineChart(data);
    gridChart(data);
    document.body.setAttribute("data-charts", "drawn");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
