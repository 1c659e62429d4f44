/* 评价对象详情 Subject page, the electronic file (122号 第十九条): identity, the explained evaluation, records
 * with their evidence, the archive and the score history (subjects/score_history.js). */
(function (XY) {
  "use strict";

  var h = XY.h, byId = XY.byId, clear = XY.clear, append = XY.append, api = XY.api, qs = XY.qs, ref = XY.ref;
  var fmtNum = XY.fmtNum, fmtSigned = XY.fmtSigned, isNum = XY.isNum, today = XY.today, gradeOf = XY.gradeOf;
  var setBadge = XY.setBadge, setFused = XY.setFused, isMasked = XY.isMasked, kindName = XY.kindName;
  var nationalName = XY.nationalName, setState = XY.setState, showError = XY.showError;
  var describeError = XY.describeError, settle = XY.settle, industryName = XY.industryName;
  var departmentName = XY.departmentName, hashFor = XY.hashFor, go = XY.go, stale = XY.stale;
  var hooks = XY.hooks, loadReference = XY.loadReference, itemCell = XY.itemCell;
  var fillIndustrySelect = XY.fillIndustrySelect, INFO_CLASS = XY.INFO_CLASS;
  var ADMIN_CATEGORY = XY.ADMIN_CATEGORY;
  function current() { return XY.current(); }

  /* ------------------------------------------------------------------ 3. subject detail */

  function showSubject(r, seq) {
    var code = r.args[0] || "";
    var industry = r.query.get("industry") || "";
    var asOf = r.query.get("as_of") || "";
    setState("subject", "loading");
    resetDetail(code);
    if (!code) {
      setState("subject", "error");
      showError("评价对象详情", new Error("缺少评价对象代码"));
      return;
    }
    if (isMasked(code)) {
      setState("subject", "error");
      showError("评价对象详情", new Error("该个人身份证号已脱敏(" + code + "),无法查询;请以有权查看个人信息的账号登录后从列表进入"));
      return;
    }
    byId("sd-asof").value = asOf;
    byId("sd-asof").removeAttribute("data-auto");
    byId("sd-enter-link").setAttribute("href", hashFor("enter", [], { subject: code }));
    var enc = "/subjects/" + encodeURIComponent(code);
    return loadReference().then(function () {
      if (stale(seq)) { return; }
      var pSubject = api(enc);
      var pEval = api(enc + "/evaluation" + qs({ industry: industry, as_of: asOf }));
      var pRecords = api(enc + "/records");
      return Promise.all([settle(pSubject), settle(pEval), settle(pRecords)]).then(function (res) {
        if (stale(seq)) { return; }
        var failed = false;
        if (res[0].ok) { renderSubjectHead(res[0].value || {}, industry); }
        else { failed = true; showError("加载评价对象信息失败", res[0].error); fillScope([], industry); }
        if (res[1].ok) { renderEvaluation(res[1].value || {}); }
        else { failed = true; showError("加载信用评价失败", res[1].error); }
        if (res[2].ok) { renderRecords(res[2].value || []); XY.loadEvidence(code, res[2].value || [], seq); }
        else {
          failed = true; showError("加载信用记录失败", res[2].error);
          clear(byId("records-tbody")).appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 10, text: "加载失败:" + describeError(res[2].error) })));
        }
        setState("subject", failed ? "error" : "ready");
        loadArchive(enc, seq);
        hooks.subject.forEach(function (fn) { fn(enc, seq); });
      });
    });
  }

  /* 电子信用档案 (122号 第十九条): read with a token only; a refusal is explained in place, not as a page error */

  var ARCHIVE_KINDS = {
    subject_created: "登记评价对象", record_entered: "录入记录", record_withdrawn: "撤销记录",
    record_corrected: "更正记录", evidence_attached: "上传证明材料", evaluation_changed: "评价变动",
    industry_enrolled: "纳入行业评价"
  };

  function loadArchive(enc, seq) {
    var tb = clear(byId("archive-tbody"));
    var note = byId("sd-archive-note");
    if (!XY.signedIn()) {
      note.textContent = "登录后可查看档案(查阅记入审计)。Sign in to read the archive.";
      XY.scoreHistory(null);
      return;
    }
    note.textContent = "正在加载档案…";
    settle(api(enc + "/archive")).then(function (res) {
      if (stale(seq)) { return; }
      if (!res.ok) {
        note.textContent = "无法查看档案:" + describeError(res.error);
        XY.scoreHistory(null);
        return;
      }
      var entries = (res.value && Array.isArray(res.value.entries)) ? res.value.entries : [];
      XY.scoreHistory(entries);
      note.textContent = "共 " + entries.length + " 条;每条记载前一条的哈希,任何改动都可由 xinyong archive verify 发现。";
      entries.slice().reverse().forEach(function (e) {
        tb.appendChild(h("tr", { "data-testid": "archive-row", "data-seq": e.seq, "data-kind": e.kind },
          h("td", { class: "num", text: String(e.seq) }),
          h("td", { text: String(e.at || "").replace("T", " ").slice(0, 19) }),
          h("td", {}, h("span", { class: "tag", text: ARCHIVE_KINDS[e.kind] || e.kind })),
          h("td", { text: e.summary || "" }),
          h("td", {}, h("code", { class: "hash", title: "前一条 " + (e.prev_hash || ""), text: String(e.hash || "").slice(0, 12) + "…" }))));
      });
    });
  }

  function resetDetail(code) {
    byId("sd-name").textContent = "—";
    byId("sd-code").textContent = code || "—";
    byId("sd-kind").textContent = "—";
    byId("sd-national").textContent = "—";
    byId("sd-industries").textContent = "—";
    byId("sd-score").textContent = "—";
    byId("sd-score").setAttribute("data-value", "");
    byId("sd-score").setAttribute("data-grade", "");
    setBadge(byId("sd-grade"), "", "");
    setBadge(byId("sd-level"), "", "");
    setFused(byId("sd-fused"), null);
    ["sd-eval-scope", "sd-eval-asof", "sd-base", "sd-version"].forEach(function (id) { byId(id).textContent = "—"; });
    COMPONENTS.forEach(function (c) { var el = byId("sd-c-" + c); el.textContent = "—"; el.setAttribute("data-value", ""); });
    byId("sd-fuse-box").hidden = true;
    clear(byId("sd-fuse-list"));
    clear(byId("sd-eval-warnings")).hidden = true;
    clear(byId("lines-tbody")).appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 5, text: "加载中…" })));
    clear(byId("records-tbody")).appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 10, text: "加载中…" })));
  }

  function fillScope(codes, industry) {
    var all = (codes || []).slice();
    if (industry && all.indexOf(industry) < 0) { all.push(industry); }
    fillIndustrySelect(byId("sd-scope"), "通用评价", all);
    byId("sd-scope").value = industry;
  }

  function renderSubjectHead(sub, industry) {
    byId("sd-name").textContent = sub.name || "—";
    byId("sd-code").textContent = sub.code || current().args[0] || "—";
    byId("sd-kind").textContent = kindName(sub.kind);
    byId("sd-national").textContent = nationalName(sub.national_grade);
    var inds = Array.isArray(sub.industries) ? sub.industries : [];
    byId("sd-industries").textContent = inds.length ? inds.map(industryName).join("、") : "无";
    fillScope(inds, industry);
    document.title = (sub.name || "评价对象") + " · 信用评价管理系统";
  }

  function renderEvaluation(ev) {
    var score = byId("sd-score");
    score.textContent = fmtNum(ev.score);
    score.setAttribute("data-value", isNum(ev.score) ? String(ev.score) : "");
    score.setAttribute("data-grade", gradeOf(ev.grade));
    setBadge(byId("sd-grade"), ev.grade, gradeOf(ev.grade));
    setBadge(byId("sd-level"), ev.level, gradeOf(ev.level));
    setFused(byId("sd-fused"), !!ev.fused);
    byId("sd-eval-scope").textContent = industryName(ev.industry);
    byId("sd-eval-asof").textContent = ev.as_of || "—";
    byId("sd-base").textContent = fmtNum(ev.base_score);
    byId("sd-version").textContent = ev.standard_version || "—";
    var asofInput = byId("sd-asof");
    if (!asofInput.value && ev.as_of) {
      // show the date the server evaluated at, but keep following "today" unless the user picks a date
      asofInput.value = String(ev.as_of).slice(0, 10);
      asofInput.setAttribute("data-auto", asofInput.value);
    }

    var comps = ev.components || {};
    COMPONENTS.forEach(function (c) {
      var el = byId("sd-c-" + c);
      var v = comps[c];
      el.textContent = fmtSigned(v, /bonus$/.test(c) ? "good" : "bad");
      el.setAttribute("data-value", v === undefined || v === null ? "" : String(v));
    });

    var reasons = Array.isArray(ev.fuse_reasons) ? ev.fuse_reasons : [];
    var list = clear(byId("sd-fuse-list"));
    reasons.forEach(function (fr) {
      var ids = Array.isArray(fr.record_ids) ? fr.record_ids : [];
      var listings = Array.isArray(fr.listing_ids) ? fr.listing_ids : [];
      list.appendChild(h("li", { "data-testid": "fuse-reason", "data-article": fr.article || "" },
        h("strong", { class: "article", text: fr.article || "—" }),
        h("span", { class: "muted", text: " · 相关记录:" }),
        ids.length ? ids.map(function (id, i) {
          return [i ? "、" : "", h("code", { class: "record-ref", "data-record-id": id, text: "#" + id })];
        }) : "无",
        // a listing that still holds on the evaluation day (122号 第十六条(一), 名单 X-02)
        listings.length ? [h("span", { class: "muted", text: " · 名单:" }), listings.map(function (id, i) {
          return [i ? "、" : "", h("code", { class: "listing-ref", "data-testid": "fuse-listing", "data-listing-id": id, text: "名单#" + id })];
        })] : null));
    });
    byId("sd-fuse-box").hidden = !ev.fused && reasons.length === 0;

    var lines = Array.isArray(ev.lines) ? ev.lines : [];
    var tb = clear(byId("lines-tbody"));
    if (!lines.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 5, text: "本评价周期内没有计分记录" })));
    }
    lines.forEach(function (ln) {
      var it = ref.itemMap[ln.item] || {};
      // points is the item's signed value, applied the part counted after caps/budgets (compare magnitudes)
      var capped = isNum(ln.points) && isNum(ln.applied) && Math.abs(ln.applied) < Math.abs(ln.points);
      // a record that scores nothing says why (before the measures took effect, an item not in force)
      var unscored = !!(ln.note_zh || ln.note_en);
      tb.appendChild(h("tr", { "data-record-id": ln.record_id, "data-testid": "line-row", "data-unscored": unscored ? "true" : null,
        class: capped ? "capped" : (unscored ? "unscored" : null) },
        h("td", {}, h("code", { text: ln.record_id === null || ln.record_id === undefined ? "—" : "#" + ln.record_id }),
          ln.record_id === null || ln.record_id === undefined ? null : h("div", { class: "evidence-links", "data-evidence-for": ln.record_id })),
        h("td", {}, itemCell(ln.item)),
        h("td", { class: "num", "data-value": ln.points, text: fmtSigned(ln.points, it.polarity) }),
        h("td", { class: "num", "data-value": ln.applied, title: capped ? "受上限或分值构成限制,只计入部分分值" : null },
          fmtSigned(ln.applied, it.polarity), capped ? h("span", { class: "tag tag-capped", text: "限额" }) : null,
          unscored ? h("span", { class: "tag tag-unscored", text: "不计分" }) : null),
        h("td", { class: "article" }, ln.article || (unscored ? "" : it.article) || (unscored ? "" : "—"),
          unscored ? h("span", { class: "line-note", "data-testid": "line-note" }, ln.note_zh || "",
            ln.note_en ? h("small", { lang: "en", text: " " + ln.note_en }) : null) : null)));
    });
    renderEvalWarnings(Array.isArray(ev.warnings) ? ev.warnings : []);
  }

  /** The warnings an evaluation carries (e.g. the measures lapsed, 122号 第二十八条), as a banner above it. */
  function renderEvalWarnings(warnings) {
    var box = clear(byId("sd-eval-warnings"));
    box.hidden = !warnings.length;
    box.setAttribute("data-kind", warnings.length ? String(warnings[0].kind || "") : "");
    warnings.forEach(function (w) {
      box.appendChild(h("p", { "data-testid": "eval-warning", "data-kind": w.kind || "" },
        h("strong", { text: "评价提示 " }), w.message_zh || "", w.message_en ? h("small", { lang: "en", text: " " + w.message_en }) : null));
    });
  }

  function renderRecords(records) {
    var tb = clear(byId("records-tbody"));
    if (!Array.isArray(records) || !records.length) {
      tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 10, text: "暂无信用记录" })));
      return;
    }
    records.forEach(function (rec) {
      var active = rec.status === "active";
      var due = h("td", {}, rec.due_date || "—");
      if (rec.due_provisional) {
        append(due, [" ", h("span", { class: "tag tag-provisional", "data-testid": "provisional-tag", title: "填报期限按预估的节假日安排计算,待正式公布后可能调整", text: "预估" })]);
      }
      if (rec.late) {
        append(due, [" ", h("span", { class: "tag tag-late", "data-testid": "late-tag", title: "超过填报期限录入", text: "逾期" })]);
      }
      var status = h("td", {}, h("span", { class: "tag " + (active ? "tag-ok" : "tag-withdrawn"), "data-testid": "record-status",
        text: active ? "有效" : (RECORD_STATUS[rec.status] || String(rec.status || "—")) }));
      if (rec.status === "duplicate" && rec.duplicate_of !== null && rec.duplicate_of !== undefined) {
        // G1-16: the same decision entered again; it is kept, linked to the record that counts
        append(status, [" ", h("span", { class: "muted", "data-testid": "duplicate-of", "data-record-id": rec.duplicate_of,
          title: "同一决定(部门、文书编号、指标相同)已有记录,本条不重复计分", text: "同 #" + rec.duplicate_of })]);
      }
      tb.appendChild(h("tr", { "data-record-id": rec.id, "data-status": rec.status, "data-testid": "record-row", class: active ? null : "withdrawn" },
        h("td", {}, h("code", { text: "#" + rec.id })),
        h("td", {}, itemCell(rec.item)),
        h("td", { "data-testid": "record-class" },
          h("span", { class: "tag", "data-value": rec.info_class || "", text: INFO_CLASS[rec.info_class] || rec.info_class || "—" }),
          rec.admin_category ? [" ", h("span", { class: "muted", "data-value": rec.admin_category, text: ADMIN_CATEGORY[rec.admin_category] || rec.admin_category })] : null),
        h("td", { text: rec.act_date || "—" }),
        h("td", { text: departmentName(rec.department) }),
        h("td", {}, h("span", { class: "source-ref", text: rec.source_ref || "—" }),
          h("div", { class: "evidence-links", "data-evidence-for": rec.id }),
          rec.decision_no ? h("div", { class: "muted", "data-testid": "record-decision-no", text: "文书编号:" + rec.decision_no }) : null),
        due,
        status,
        h("td", { class: "note", text: rec.note || "" }),
        h("td", {}, active ? h("button", {
          type: "button", class: "btn btn-small btn-danger-outline", "data-testid": "withdraw-btn", "data-record-id": rec.id,
          "aria-label": "撤回记录 " + rec.id, onclick: function () { XY.openWithdraw(rec.id); }
        }, "撤回") : h("span", { class: "muted", text: "—" }))));
    });
  }

  function detailParamsFromControls() {
    var p = {};
    var ind = byId("sd-scope").value;
    var input = byId("sd-asof");
    var asOf = input.value;
    if (asOf && asOf === input.getAttribute("data-auto")) { asOf = ""; }
    if (ind) { p.industry = ind; }
    if (asOf) { p.as_of = asOf; }
    return p;
  }


  var COMPONENTS = ["general_bonus", "general_deduction", "industry_bonus", "industry_deduction"];
  var RECORD_STATUS = { withdrawn: "已撤回", superseded: "已更正", duplicate: "重复" };
  byId("sd-controls").addEventListener("submit", function (ev) { ev.preventDefault(); });
  byId("sd-scope").addEventListener("change", function () { go("subject", [current().args[0] || ""], detailParamsFromControls()); });
  byId("sd-asof").addEventListener("change", function () {
    this.removeAttribute("data-auto");
    go("subject", [current().args[0] || ""], detailParamsFromControls());
  });
  byId("sd-asof-today").addEventListener("click", function () {
    byId("sd-asof").value = "";
    go("subject", [current().args[0] || ""], detailParamsFromControls());
  });
  XY.addView("subject", showSubject, "subjects");
}(window.XY));
