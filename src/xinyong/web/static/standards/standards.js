/* 评价标准 Standards (122号 第十一条, 第十二条): versions, a version's items and the what-if impact of a draft,
 * its chart drawn with ECharts (core/charts.js). */
(function (XY) {
  "use strict";

  var h = XY.h, byId = XY.byId, clear = XY.clear, append = XY.append, api = XY.api, qs = XY.qs, fw = XY.fw;
  var ref = XY.ref, fmtNum = XY.fmtNum, fmtSigned = XY.fmtSigned, pct = XY.pct, isNum = XY.isNum, today = XY.today;
  var gradeOf = XY.gradeOf, badge = XY.badge, setBadge = XY.setBadge, setFused = XY.setFused, isMasked = XY.isMasked;
  var kindName = XY.kindName, nationalName = XY.nationalName, setState = XY.setState, showError = XY.showError;
  var describeError = XY.describeError, ApiError = XY.ApiError, statusText = XY.statusText, settle = XY.settle;
  var industryName = XY.industryName, departmentName = XY.departmentName, hashFor = XY.hashFor, go = XY.go;
  var stale = XY.stale, hooks = XY.hooks, loadReference = XY.loadReference, ensureOption = XY.ensureOption;
  var formError = XY.formError, itemCell = XY.itemCell, fillIndustrySelect = XY.fillIndustrySelect;
  var INFO_CLASS = XY.INFO_CLASS, ADMIN_CATEGORY = XY.ADMIN_CATEGORY;
  function current() { return XY.current(); }

  /* ------------------------------------------------------------------ 5. standards (122号 第十一条, 第十二条) */

  var STANDARDS = "/api/v1/standards";
  var STATUS_NAME = { draft: "草案", consultation: "征求意见中", approved: "已审定待实施", in_force: "现行有效", superseded: "已被替代" };

  /** URL of a standards endpoint, e.g. stdUrl([version, "impact"]) → /api/v1/standards/VERSION/impact. */
  function stdUrl(parts) {
    return [STANDARDS].concat((parts || []).map(function (p) { return encodeURIComponent(p); })).join("/");
  }
  /** The same, relative to the API base (api() prepends API). */
  function stdPath(parts) { return stdUrl(parts).slice(XY.API.length); }

  function showStandards(r, seq) {
    var version = r.args[0] || "";
    var asOf = r.query.get("as_of") || today();
    setState("standards", "loading");
    document.title = "评价标准 · 信用评价管理系统";
    byId("std-detail").hidden = !version;
    byId("std-impact").hidden = !version;
    byId("std-asof").value = asOf;
    return loadReference().then(function () {
      return api(stdPath()).then(function (rows) {
        if (stale(seq)) { return; }
        renderStandardList(rows || [], version);
        hooks.standard.forEach(function (fn) { fn(null, seq); });
        if (!version) { setState("standards", "ready"); return; }
        return Promise.all([
          api(stdPath([version])).then(function (d) {
            if (!stale(seq)) { renderStandard(d); hooks.standard.forEach(function (fn) { fn(d, seq); }); }
          }),
          loadImpact(version, asOf, seq)
        ]).then(function () { if (!stale(seq)) { setState("standards", "ready"); } });
      });
    }).catch(function (e) {
      if (stale(seq)) { return; }
      setState("standards", "error");
      showError("加载评价标准失败", e);
    });
  }

  function scopeName(family, industry) { return family === "general" ? "通用指标" : industryName(industry); }

  function renderStandardList(rows, selected) {
    var tbody = clear(byId("std-tbody"));
    if (!rows.length) { tbody.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 6, text: "暂无标准版本" }))); }
    rows.forEach(function (row) {
      var link = h("a", { href: hashFor("standards", [row.version]), text: row.version });
      tbody.appendChild(h("tr", { "data-version": row.version, "aria-selected": row.version === selected ? "true" : null },
        h("td", null, link),
        h("td", { text: scopeName(row.family, row.industry) }),
        h("td", null, h("span", { class: "tag tag-status-" + row.status, "data-status": row.status, text: STATUS_NAME[row.status] || row.status })),
        h("td", { text: row.consultation_start ? row.consultation_start + " 至 " + row.consultation_end : "—" }),
        h("td", { text: row.approved_by || "—" }),
        h("td", { text: row.effective_date || "—" })));
    });
  }

  function renderStandard(d) {
    var life = d.lifecycle || {};
    byId("std-name").textContent = d.name || "—";
    byId("std-version").textContent = d.version || "—";
    var st = byId("std-status");
    st.textContent = STATUS_NAME[life.status] || life.status || "—";
    st.setAttribute("data-status", life.status || "");
    var meta = [scopeName(d.family, d.industry), "依据:" + (d.reference || "—")];
    if (life.based_on) { meta.push("修订自 " + life.based_on); }
    if (life.approved_by) { meta.push("审定:" + life.approved_by + " " + (life.approved_at || "")); }
    if (life.superseded_by) { meta.push("已被 " + life.superseded_by + " 替代"); }
    byId("std-meta").textContent = meta.join(" · ");
    var tbody = clear(byId("std-items-tbody"));
    (d.items || []).forEach(function (it) {
      tbody.appendChild(h("tr", null,
        h("td", null, h("code", { text: it.code })),
        h("td", null, it.name, it.work_safety ? h("span", { class: "tag tag-good", text: "安全生产" }) : null,
          it.fuse ? h("span", { class: "tag tag-fused", text: "熔断" }) : null),
        h("td", { class: "num", text: fmtSigned(it.points, it.polarity) }),
        h("td", { class: "num", text: it.cap === null || it.cap === undefined ? "—" : fmtNum(it.cap) }),
        h("td", { class: "article", text: it.article })));
    });
  }

  function loadImpact(version, asOf, seq) {
    byId("std-impact-summary").textContent = "测算中…";
    byId("std-impact-csv").setAttribute("href", stdUrl([version, "impact.csv"]) + qs({ as_of: asOf }));
    return api(stdPath([version, "impact"]) + qs({ as_of: asOf, limit: 500 })).then(function (rep) {
      if (stale(seq)) { return; }
      renderImpact(rep || {});
    }, function (e) {
      if (stale(seq)) { return; }
      byId("std-impact-summary").textContent = "测算失败";
      showError("影响测算失败", e);
    });
  }

  function renderImpact(rep) {
    var shown = (rep.subjects || []).length;
    byId("std-impact-summary").textContent = "基准日 " + rep.as_of + ":" + (rep.replaces ? "替换 " + rep.replaces + "," : "") +
      "共 " + rep.total + " 个评价结果,其中 " + rep.changed + " 个发生变化(" + pct(rep.changed, rep.total) + ")" +
      (shown < rep.changed ? ",下表列出前 " + shown + " 个,完整名单请导出 CSV" : "");
    var pairs = Object.keys(rep.transitions || {}).map(function (k) { return [k, rep.transitions[k]]; });
    var same = 0;
    var moved = pairs.filter(function (p) {
      var ends = p[0].split("->");
      if (ends[0] === ends[1]) { same += p[1]; return false; }
      return true;
    });
    var bars = [["级别不变", same]].concat(moved);
    var colors = bars.map(function (b, i) {
      var ends = b[0].split("->");
      return i === 0 ? "#8a96a6" : (fw.levels.indexOf(ends[1]) < fw.levels.indexOf(ends[0]) ? "#2e7d32" : "#c62828");
    });
    XY.chart(byId("std-impact-svg"), {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: bars.map(function (b) { return b[0]; }) },
      series: [{ type: "bar", barMaxWidth: 22, label: { show: true, position: "right" },
        data: bars.map(function (b, i) { return { value: b[1], itemStyle: { color: colors[i] } }; }) }]
    }, { caption: "等级变化分布", columns: ["变化", "数量"],
      items: bars.map(function (b) { return { kind: "transition", key: b[0], count: b[1] }; }) });
    byId("std-impact-svg").style.height = Math.max(120, bars.length * 30 + 30) + "px";
    var tbody = clear(byId("std-impact-tbody"));
    if (!shown) { tbody.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 6, text: "没有评价结果发生变化" }))); }
    (rep.subjects || []).forEach(function (x) {
      tbody.appendChild(h("tr", null,
        h("td", null, isMasked(x.subject) ? h("code", { text: x.subject }) :
          h("a", { href: hashFor("subject", [x.subject], { industry: x.industry || "" }) }, h("code", { text: x.subject }))),
        h("td", { text: x.industry ? industryName(x.industry) : "通用评价" }),
        h("td", { class: "num", text: fmtNum(x.before.score) }),
        h("td", null, badge(x.before.level, gradeOf(x.before.level))),
        h("td", { class: "num", text: fmtNum(x.after.score) }),
        h("td", null, badge(x.after.level, gradeOf(x.after.level)))));
    });
  }

  /** CSV download with the session (a draft's impact is not public). */
  function downloadImpactCsv(ev) {
    ev.preventDefault();
    XY.download(this.getAttribute("href"), "impact-" + (current().args[0] || "standard") + ".csv");
  }


  byId("std-impact-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    go("standards", [current().args[0] || ""], { as_of: byId("std-asof").value });
  });
  byId("std-impact-csv").addEventListener("click", downloadImpactCsv);
  XY.addView("standards", showStandards);
}(window.XY));
