/* Charts of the staff pages with Apache ECharts (vendor/echarts, served by the application, no CDN). Each chart
 * renders to SVG inside its figure and writes the same numbers into a visually hidden data table (screen
 * readers and browser tests read the table: <tr data-kind data-key data-count>). */
(function (XY) {
  "use strict";

  var h = XY.h, clear = XY.clear;
  var FONT = '"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';

  function cssVar(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name);
    return (v && v.trim()) || fallback;
  }

  /** The colour of a grade class (A–D) as the badges show it (style.css --a … --d). */
  function gradeColor(g) {
    var map = { A: ["--a", "#2e7d32"], B: ["--b", "#7a9a1c"], C: ["--c", "#e08a00"], D: ["--d", "#d32f2f"] };
    var m = map[g];
    return m ? cssVar(m[0], m[1]) : "#9aa5b4";
  }

  function canvasOf(el) {
    var box = el.querySelector(":scope > .chart-canvas");
    if (!box) {
      box = h("div", { class: "chart-canvas", "aria-hidden": "true" });
      el.insertBefore(box, el.firstChild);
    }
    return box;
  }

  function tableOf(el) {
    var t = el.querySelector(":scope > table.chart-data");
    if (!t) {
      t = h("table", { class: "chart-data sr-only", "data-testid": (el.getAttribute("data-testid") || "chart") + "-data" });
      el.appendChild(t);
    }
    return t;
  }

  /**
   * Draw `option` (an ECharts option) into the figure element `el`, and list `rows` in its hidden data table:
   * rows = {caption, columns: [..], items: [{kind, key, count, cells: [..]}]}.
   */
  function chart(el, option, rows) {
    if (typeof window.echarts === "undefined") { throw new Error("图表库未加载 (vendor/echarts)"); }
    var box = canvasOf(el);
    var inst = window.echarts.getInstanceByDom(box) || window.echarts.init(box, null, { renderer: "svg" });
    var base = { animation: false, textStyle: { fontFamily: FONT, color: "#1f2733" }, aria: { enabled: false } };
    inst.setOption(Object.assign(base, option), true);
    inst.resize();
    var t = clear(tableOf(el));
    if (rows) {
      t.appendChild(h("caption", { text: rows.caption || "" }));
      t.appendChild(h("thead", null, h("tr", null, (rows.columns || []).map(function (c) { return h("th", { scope: "col", text: c }); }))));
      var tb = h("tbody");
      (rows.items || []).forEach(function (r) {
        tb.appendChild(h("tr", { "data-kind": r.kind || "", "data-scope": r.scope || null, "data-key": r.key, "data-count": r.count },
          (r.cells || [r.key, r.count]).map(function (c, i) { return i === 0 ? h("th", { scope: "row", text: c }) : h("td", { text: c }); })));
      });
      t.appendChild(tb);
    }
    el.setAttribute("data-drawn", "true");
    return inst;
  }

  /** A category bar chart option (optionally stacked series). */
  function bars(categories, series, o) {
    o = o || {};
    return {
      title: o.title ? { text: o.title, left: "center", textStyle: { fontSize: 14 } } : undefined,
      tooltip: { trigger: "axis" },
      legend: series.length > 1 ? { top: o.title ? 24 : 0, type: "scroll" } : undefined,
      grid: { left: 48, right: 16, top: series.length > 1 ? 56 : 36, bottom: o.rotate ? 72 : 32, containLabel: true },
      xAxis: { type: "category", data: categories, axisLabel: { rotate: o.rotate || 0, interval: 0 } },
      yAxis: { type: "value", minInterval: 1, name: o.yName || "" },
      series: series.map(function (s) {
        return Object.assign({ type: "bar", stack: o.stack ? "all" : undefined, barMaxWidth: 48,
          label: { show: !o.stack, position: "top" } }, s);
      })
    };
  }

  window.addEventListener("resize", function () {
    if (typeof window.echarts === "undefined") { return; }
    var boxes = document.querySelectorAll(".chart-canvas");
    for (var i = 0; i < boxes.length; i++) {
      var inst = window.echarts.getInstanceByDom(boxes[i]);
      if (inst) { inst.resize(); }
    }
  });

  Object.assign(XY, { chart: chart, bars: bars, gradeColor: gradeColor });
}(window.XY));
