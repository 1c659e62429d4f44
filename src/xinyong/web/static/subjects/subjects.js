/* 评价对象 Subjects list: search, grade and industry filters, pages (122号 第十三条). */
(function (XY) {
  "use strict";

  var h = XY.h, byId = XY.byId, clear = XY.clear, api = XY.api, qs = XY.qs, fw = XY.fw, fmtNum = XY.fmtNum;
  var isNum = XY.isNum, gradeOf = XY.gradeOf, badge = XY.badge, isMasked = XY.isMasked;
  var kindName = XY.kindName, nationalName = XY.nationalName, setState = XY.setState;
  var showError = XY.showError, describeError = XY.describeError, industryName = XY.industryName;
  var hashFor = XY.hashFor, go = XY.go, stale = XY.stale, loadReference = XY.loadReference;
  var ensureOption = XY.ensureOption;

  /* ------------------------------------------------------------------ 2. subjects */

  function showSubjects(r, seq) {
    var q = r.query.get("q") || "";
    var grade = r.query.get("grade") || "";
    var industry = r.query.get("industry") || "";
    var page = Math.max(1, parseInt(r.query.get("page") || "1", 10) || 1);
    setState("subjects", "loading");
    document.title = "评价对象 · 信用评价管理系统";
    byId("subj-q").value = q;
    return loadReference().then(function () {
      if (stale(seq)) { return; }
      byId("subj-grade").value = fw.grades.indexOf(grade) >= 0 ? grade : "";
      var isel = byId("subj-industry");
      ensureOption(isel, industry, industryName(industry) + "(行业评价)");
      isel.value = industry;
      var params = { q: q, grade: grade, industry: industry, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
      return api("/subjects" + qs(params)).then(function (data) {
        if (stale(seq)) { return; }
        renderSubjects(data || {}, page, { q: q, grade: grade, industry: industry });
        setState("subjects", "ready");
      }, function (e) {
        if (stale(seq)) { return; }
        var tb = clear(byId("subject-tbody"));
        tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "加载失败:" + describeError(e) })));
        byId("subj-summary").textContent = "加载失败";
        setState("subjects", "error");
        showError("加载评价对象失败", e);
      });
    });
  }

  function renderSubjects(data, page, filters) {
    var items = Array.isArray(data.items) ? data.items : [];
    var total = isNum(data.total) ? data.total : items.length;
    var pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    var tb = clear(byId("subject-tbody"));
    if (!items.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "没有符合条件的评价对象" })));
    }
    items.forEach(function (it) {
      var ev = it.evaluation || {};
      var params = filters.industry ? { industry: filters.industry } : {};
      var href = hashFor("subject", [it.code], params);
      var level = ev.level || "";
      var masked = isMasked(it.code);
      var maskTitle = "个人身份证号已脱敏;以有权查看个人信息的账号登录后可查看详情";
      tb.appendChild(h("tr", { "data-code": it.code, "data-testid": "subject-row", "data-masked": String(masked) },
        h("td", {}, masked
          ? h("code", { class: "masked", title: maskTitle, text: it.code })
          : h("a", { href: href, class: "code-link", "data-testid": "subject-link" }, h("code", { text: it.code }))),
        h("td", {}, masked ? h("span", { title: maskTitle, text: it.name || "—" }) : h("a", { href: href, text: it.name || "—" })),
        h("td", {}, h("span", { class: "tag tag-kind", text: kindName(it.kind) })),
        h("td", { text: nationalName(it.national_grade) }),
        h("td", { class: "num", "data-value": isNum(ev.score) ? ev.score : "", text: fmtNum(ev.score) }),
        h("td", {}, badge(ev.grade, gradeOf(ev.grade), "row-grade")),
        h("td", {}, badge(level, gradeOf(level), "row-level")),
        h("td", {}, ev.fused ? h("span", { class: "tag tag-fused", "data-testid": "fused-tag", text: "熔断" }) : h("span", { class: "muted", text: "—" }))));
    });
    var from = total ? (page - 1) * PAGE_SIZE + 1 : 0;
    var to = Math.min(total, (page - 1) * PAGE_SIZE + items.length);
    byId("subj-summary").textContent = "共 " + total + " 个评价对象" + (total ? ",当前显示第 " + from + "–" + to + " 个" : "") +
      (filters.industry ? " · 评价范围:" + industryName(filters.industry) : " · 评价范围:通用评价");
    byId("subj-page").textContent = "第 " + page + " / " + pages + " 页";
    var prev = byId("subj-prev"), next = byId("subj-next");
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
    prev.onclick = function () { go("subjects", [], Object.assign({}, filters, { page: page - 1 > 1 ? page - 1 : null })); };
    next.onclick = function () { go("subjects", [], Object.assign({}, filters, { page: page + 1 })); };
  }


  var PAGE_SIZE = 20;
  function searchNow() {
    go("subjects", [], { q: byId("subj-q").value.trim(), grade: byId("subj-grade").value, industry: byId("subj-industry").value });
  }
  byId("subj-search").addEventListener("submit", function (ev) { ev.preventDefault(); searchNow(); });
  byId("subj-reset").addEventListener("click", function () { go("subjects", [], {}); });
  byId("subj-grade").addEventListener("change", searchNow);
  byId("subj-industry").addEventListener("change", searchNow);
  XY.addView("subjects", showSubjects);
}(window.XY));
