/* Reference data shared by every staff page: the framework in force (grades, levels, bands, validity), industries,
 * departments, the item catalogue and the information classes (122号 第六条, 第七条, 第十四条). */
(function (XY) {
  "use strict";

  var api = XY.api, h = XY.h, byId = XY.byId, clear = XY.clear, append = XY.append, fmtNum = XY.fmtNum;
  var fmtSigned = XY.fmtSigned, badge = XY.badge, bandText = XY.bandText, showError = XY.showError, fw = XY.fw;
  // Information classes (122号 Art.6) and categories (Art.7) come from GET /api/v1/collection (collection.yaml).
  var INFO_CLASS = {};
  var ADMIN_CATEGORY = {};
  var ref = { industries: [], departments: [], catalogue: [], industryMap: {}, departmentMap: {}, itemMap: {} };
  var refPromise = null;
  var fwPromise = null;

  /** The framework in force today (GET /api/v1/framework), fetched once; retried on the next view if it failed. */
  function loadFramework() {
    if (fwPromise) { return fwPromise; }
    fwPromise = api("/framework").then(function (d) {
      d = d || {};
      var grades = Array.isArray(d.grades) ? d.grades : [];
      var levels = Array.isArray(d.levels) ? d.levels : [];
      fw.data = d;
      fw.grades = grades.map(function (g) { return g.grade; });
      fw.levels = levels.map(function (l) { return l.level; });
      fw.gradeName = {};
      grades.forEach(function (g) { fw.gradeName[g.grade] = g.name || ""; });
      fw.levelGrade = {};
      levels.forEach(function (l) { fw.levelGrade[l.level] = l.grade; });
      renderFramework();
      return api("/collection").then(function (c) {
        c = c || {};
        Object.assign(INFO_CLASS, c.info_classes || {});
        var cats = c.admin_categories || {};
        Object.assign(ADMIN_CATEGORY, cats.good || {}, cats.bad || {});
      });
    }, function (e) {
      fwPromise = null;
      showError("加载评价框架参数失败", e);
    });
    return fwPromise;
  }

  /** Everything that shows the framework itself: the validity banner, the legend, the grade filter options. */
  function renderFramework() {
    var d = fw.data || {};
    var v = d.validity || {};
    var banner = byId("validity-banner");
    var w = v.warning;
    banner.hidden = !w;
    banner.setAttribute("data-kind", w ? String(w.kind || "") : "");
    byId("validity-title").textContent = w && w.kind === "lapsed" ? "本办法有效期已届满" : "本办法有效期提示";
    byId("validity-text").textContent = w ? String(w.message_zh || "") : "";
    byId("validity-text-en").textContent = w ? String(w.message_en || "") : "";

    var range = d.score_range ? "[" + fmtNum(d.score_range.min) + ", " + fmtNum(d.score_range.max) + "]" : "—";
    byId("legend-range").textContent = range;
    byId("sd-score-range").textContent = range;
    var legend = clear(byId("grade-legend"));
    (d.grades || []).forEach(function (g) {
      var lv = (d.levels || []).filter(function (l) { return l.grade === g.grade; });
      legend.appendChild(h("li", { "data-grade": g.grade, "data-testid": "legend-grade" },
        badge(g.grade, g.grade),
        h("span", { class: "legend-name", "data-testid": "legend-name", text: g.name || "" }),
        h("span", { class: "legend-band", text: bandText(g) }),
        lv.length ? h("span", { class: "legend-levels", text: "(" + lv.map(function (l) { return l.level + " " + bandText(l); }).join(" · ") + ")" }) : null));
    });

    var sel = byId("subj-grade");
    var keep = sel.value;
    clear(sel);
    sel.appendChild(h("option", { value: "", text: "全部" }));
    fw.grades.forEach(function (g) {
      sel.appendChild(h("option", { value: g, text: fw.gradeName[g] ? g + "(" + fw.gradeName[g] + ")" : g }));
    });
    sel.value = keep;
    if (sel.value !== keep) { sel.value = ""; }
  }

  function loadReference() {
    if (refPromise) { return refPromise; }
    var parts = [
      loadFramework(),
      api("/industries").then(function (d) {
        ref.industries = Array.isArray(d) ? d : [];
        ref.industryMap = {};
        ref.industries.forEach(function (i) { ref.industryMap[i.code] = i.name; });
      }, function (e) { showError("加载行业列表失败", e); }),
      api("/departments").then(function (d) {
        ref.departments = Array.isArray(d) ? d : [];
        ref.departmentMap = {};
        ref.departments.forEach(function (i) { ref.departmentMap[i.code] = i.name; });
      }, function (e) { showError("加载部门列表失败", e); }),
      api("/catalogue").then(function (d) {
        ref.catalogue = Array.isArray(d) ? d : [];
        ref.itemMap = {};
        ref.catalogue.forEach(function (i) { ref.itemMap[i.code] = i; });
      }, function (e) { showError("加载评价指标目录失败", e); })
    ];
    refPromise = Promise.all(parts).then(function () {
      fillReferenceControls();
      // retry on next navigation if something failed
      if (!ref.industries.length || !ref.departments.length || !ref.catalogue.length || !fw.data) { refPromise = null; }
    });
    return refPromise;
  }

  function industryName(code) {
    if (!code) { return "通用评价"; }
    return ref.industryMap[code] || String(code);
  }
  function departmentName(code) { return code ? (ref.departmentMap[code] || String(code)) : "—"; }

  function fillIndustrySelect(sel, firstLabel, codes) {
    var keep = sel.value;
    clear(sel);
    sel.appendChild(h("option", { value: "", text: firstLabel }));
    var list = codes ? codes.map(function (c) { return { code: c, name: industryName(c) }; }) : ref.industries;
    list.forEach(function (i) { sel.appendChild(h("option", { value: i.code, text: i.name + "(行业评价)" })); });
    sel.value = keep;
    if (sel.value !== keep) { sel.value = ""; }
  }

  function fillReferenceControls() {
    fillIndustrySelect(byId("ov-scope"), "通用评价");
    fillIndustrySelect(byId("subj-industry"), "全部(通用评价)");
    fillItemSelect();
    var dep = byId("rf-department");
    var keep = dep.value;
    clear(dep);
    dep.appendChild(h("option", { value: "", text: "请选择部门" }));
    ref.departments.forEach(function (d) { dep.appendChild(h("option", { value: d.code, text: d.name })); });
    dep.value = keep;
  }

  function itemLabel(it) {
    var sign = it.polarity === "good" ? "+" : "−";
    var t = it.code + " " + it.name + "(" + sign + fmtNum(it.points);
    if (it.cap !== null && it.cap !== undefined) { t += ",上限 " + fmtNum(it.cap); }
    t += ")";
    if (it.fuse) { t += " 【熔断】"; }
    if (it.heavier) { t += " 【较重】"; }
    return t;
  }

  function fillItemSelect() {
    var sel = byId("rf-item");
    var keep = sel.value;
    clear(sel);
    sel.appendChild(h("option", { value: "", text: "请选择指标" }));
    var groups = [];
    function group(label, filter) {
      var items = ref.catalogue.filter(filter).sort(function (a, b) {
        if (a.polarity !== b.polarity) { return a.polarity === "good" ? -1 : 1; }
        return String(a.code).localeCompare(String(b.code));
      });
      if (items.length) { groups.push({ label: label, items: items }); }
    }
    group("通用指标 General", function (i) { return i.family === "general"; });
    var seen = {};
    ref.industries.forEach(function (ind) {
      seen[ind.code] = true;
      group("行业指标 · " + ind.name, function (i) { return i.family === "industry" && i.industry === ind.code; });
    });
    // industries present in the catalogue but not in /industries
    ref.catalogue.forEach(function (i) {
      if (i.family === "industry" && !seen[i.industry]) {
        seen[i.industry] = true;
        group("行业指标 · " + industryName(i.industry), function (x) { return x.family === "industry" && x.industry === i.industry; });
      }
    });
    group("其他指标", function (i) { return i.family !== "general" && i.family !== "industry"; });
    groups.forEach(function (g) {
      var og = h("optgroup", { label: g.label });
      g.items.forEach(function (it) {
        og.appendChild(h("option", {
          value: it.code, text: itemLabel(it),
          "data-polarity": it.polarity, "data-fuse": String(!!it.fuse), "data-heavier": String(!!it.heavier)
        }));
      });
      sel.appendChild(og);
    });
    sel.value = keep;
    if (XY.syncItemHint) { XY.syncItemHint(); }
  }

  function itemCell(code) {
    var it = ref.itemMap[code];
    var cell = h("span", { class: "item-cell" }, h("code", { text: code || "—" }));
    if (it) {
      append(cell, [" ", it.name, " "]);
      append(cell, h("span", { class: "tag " + (it.polarity === "good" ? "tag-good" : "tag-bad"), text: it.polarity === "good" ? "加分" : "减分" }));
      if (it.fuse) { append(cell, h("span", { class: "tag tag-fused", text: "熔断" })); }
      if (it.heavier) { append(cell, h("span", { class: "tag tag-heavier", text: "较重" })); }
    }
    return cell;
  }



  Object.assign(XY, {
    ref: ref, INFO_CLASS: INFO_CLASS, ADMIN_CATEGORY: ADMIN_CATEGORY, loadFramework: loadFramework,
    loadReference: loadReference, industryName: industryName, departmentName: departmentName,
    fillIndustrySelect: fillIndustrySelect, itemCell: itemCell,
    reference: function () { return loadReference().then(function () { return ref; }); }
  });
}(window.XY));
