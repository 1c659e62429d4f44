/* 异议与修复 · 案件队列 (122号 第十八条; spec D1-36, G1-07). Route #/cases[?state=&department=&overdue=&subject=]:
 * the queue of GET /api/v1/cases (a business department sees the cases routed to it) ordered by the due date of the
 * current step, with its overdue flag; the form to file a case on a subject's behalf (POST /api/v1/cases; the
 * subject's own account files through the portal). On the subject page: that subject's cases.
 * Hooks into app.js through window.XY (XY.addView, XY.hooks.subject); shared pieces in case_forms.js.
 */
(function () {
  "use strict";

  var XY = window.XY;
  var C = XY.cases;
  var h = XY.h, byId = XY.byId, clear = XY.clear;
  var targets = { code: null };

  function caseLink(c) { return h("a", { href: XY.hashFor("case", [String(c.id)]), "data-testid": "case-link" }, "#" + c.id); }

  function subjectCell(c) {
    var masked = /\*/.test(String(c.subject || ""));
    return h("span", {}, c.subject_name || "", h("br"),
      masked ? h("code", { text: c.subject }) : h("a", { href: XY.hashFor("subject", [c.subject]) }, h("code", { text: c.subject })));
  }

  function fillFilters(q, ref, who) {
    var st = byId("cq-state");
    if (st.options.length <= 1) {
      C.STATES.forEach(function (s) { st.appendChild(h("option", { value: s, text: C.STATE_ZH[s] + " " + s })); });
    }
    var dep = clear(byId("cq-department"));
    dep.appendChild(h("option", { value: "", text: "全部" }));
    (ref.departments || []).forEach(function (d) { dep.appendChild(h("option", { value: d.code, text: d.name })); });
    st.value = q.get("state") || "";
    // a business department's queue is its own (the API answers 403 for another's)
    dep.value = q.get("department") || (who.role === "business" ? who.department || "" : "");
    byId("cq-overdue").value = q.get("overdue") || "";
  }

  function renderQueue(rows, q) {
    var tb = clear(byId("case-tbody"));
    if (!rows.length) { tb.appendChild(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "没有符合条件的案件" }))); }
    rows.forEach(function (c) {
      tb.appendChild(h("tr", { "data-testid": "case-row", "data-case-id": c.id, "data-state": c.state,
        "data-overdue": String(!!c.overdue), "data-due": c.due_on || "", class: c.overdue ? "overdue" : null },
        h("td", {}, caseLink(c)),
        h("td", {}, h("span", { class: "tag tag-kind", text: C.KIND[c.kind] || c.kind })),
        h("td", {}, subjectCell(c)),
        h("td", { text: C.targetText(c) }),
        h("td", {}, C.stateTag(c)),
        h("td", { text: XY.departmentName(c.department) }),
        h("td", { text: c.received_on || "—" }),
        h("td", {}, C.dueCell(c))));
    });
    var late = rows.filter(function (c) { return c.overdue; }).length;
    var parts = ["共 " + rows.length + " 件", "逾期 " + late + " 件"];
    if (q.get("state")) { parts.push("状态:" + (C.STATE_ZH[q.get("state")] || q.get("state"))); }
    if (q.get("department")) { parts.push("部门:" + XY.departmentName(q.get("department"))); }
    var sum = byId("cq-summary");
    sum.textContent = parts.join(" · ") + "(按当前环节办理期限排序)";
    sum.setAttribute("data-total", String(rows.length));
    sum.setAttribute("data-overdue", String(late));
  }

  function showQueue(r, seq) {
    var q = r.query;
    XY.setState("cases", "loading");
    document.title = "异议与修复 · 信用评价管理系统";
    clear(byId("case-tbody"));
    byId("cq-summary").textContent = "";
    return Promise.all([XY.reference(), C.me()]).then(function (res) {
      if (XY.stale(seq)) { return; }
      var ref = res[0], who = res[1];
      fillFilters(q, ref, who);
      var form = byId("case-file-form");
      form.hidden = !C.may("file", who) || who.role === "subject";
      if (!form.hidden && q.get("subject") && byId("cf2-subject").value !== q.get("subject")) {
        byId("cf2-subject").value = q.get("subject");
        loadTargets();
      }
      byId("cq-who").textContent = who.authenticated
        ? "当前身份:" + (who.name || "") + " · " + who.role + (who.department ? " · " + XY.departmentName(who.department) : "")
        : "登录后可查看案件队列、办理案件。";
      if (!C.may("read", who)) {
        renderQueue([], q);
        byId("cq-summary").textContent = who.authenticated ? "当前角色无权查看案件队列。" : "";
        XY.setState("cases", "ready");
        return;
      }
      var params = { state: q.get("state"), department: byId("cq-department").value, overdue: q.get("overdue") };
      return XY.api("/cases" + XY.qs(params)).then(function (rows) {
        if (XY.stale(seq)) { return; }
        renderQueue(Array.isArray(rows) ? rows : [], q);
        XY.setState("cases", "ready");
      }, function (e) {
        if (XY.stale(seq)) { return; }
        renderQueue([], q);
        byId("cq-summary").textContent = "无法加载案件队列:" + XY.describeError(e);
        XY.setState("cases", "error");
      });
    });
  }

  /* ---- filing on a subject's behalf: what the case is about comes from the subject's records, lists, scopes */

  function loadTargets() {
    var code = byId("cf2-subject").value.trim();
    var sel = clear(byId("cf2-target"));
    var hint = byId("cf2-subject-hint");
    targets.code = code;
    if (!code) { sel.appendChild(h("option", { value: "", text: "请先填写评价对象代码" })); hint.textContent = ""; return Promise.resolve(); }
    var enc = "/subjects/" + encodeURIComponent(code);
    sel.appendChild(h("option", { value: "", text: "加载中…" }));
    return Promise.all([XY.settle(XY.api(enc)), XY.settle(XY.api(enc + "/records")), XY.settle(XY.api(enc + "/listings"))]).then(function (res) {
      if (targets.code !== code) { return; }
      clear(sel);
      if (!res[0].ok) {
        hint.textContent = "未找到该评价对象:" + XY.describeError(res[0].error);
        sel.appendChild(h("option", { value: "", text: "—" }));
        return;
      }
      var sub = res[0].value || {};
      hint.textContent = (sub.name || "") + (sub.kind ? " · " + sub.kind : "");
      sel.appendChild(h("option", { value: "", text: "请选择" }));
      var recs = h("optgroup", { label: "信用记录 Records" });
      (res[1].ok ? res[1].value || [] : []).filter(function (x) { return x.status === "active"; }).forEach(function (x) {
        recs.appendChild(h("option", { value: "record_id:" + x.id, text: "#" + x.id + " " + x.item + " · " + (x.act_date || "") + " · " + XY.departmentName(x.department) }));
      });
      var lists = h("optgroup", { label: "名单 Listings" });
      (res[2].ok ? res[2].value || [] : []).filter(function (m) { return m.active; }).forEach(function (m) {
        lists.appendChild(h("option", { value: "listing_id:" + m.id, text: "#" + m.id + " " + (m.list_name || m.list) + " · " + (m.listed_on || "") }));
      });
      var evals = h("optgroup", { label: "评价结果(仅异议) Evaluation results" });
      ["general"].concat(Array.isArray(sub.industries) ? sub.industries : []).forEach(function (i) {
        evals.appendChild(h("option", { value: "industry:" + i, text: i === "general" ? "通用评价" : XY.industryName(i) }));
      });
      [recs, lists, evals].forEach(function (g) { if (g.children.length) { sel.appendChild(g); } });
    });
  }

  function submitCase(ev) {
    ev.preventDefault();
    var form = byId("case-file-form");
    C.clearProblems(form);
    var body = {
      kind: byId("cf2-kind").value, subject: byId("cf2-subject").value.trim(),
      statement: byId("cf2-statement").value.trim(), channel: byId("cf2-channel").value
    };
    var target = byId("cf2-target").value;
    if (target) {
      var k = target.slice(0, target.indexOf(":")), v = target.slice(target.indexOf(":") + 1);
      body[k] = k === "industry" ? v : Number(v);
    }
    var status = byId("cf2-status");
    status.textContent = "正在提交…";
    return XY.api("/cases", { method: "POST", body: body }).then(function (c) {
      status.textContent = "已受理,案件 #" + c.id;
      byId("cf2-statement").value = "";
      XY.go("case", [String(c.id)]);
    }, function (e) {
      status.textContent = "";
      C.showProblems(form, e);
    });
  }

  /* ---- the subject page: its cases (staff with cases.read) */

  function subjectCases(enc, seq) {
    var code = decodeURIComponent(enc.split("/").pop());
    var tb = clear(byId("sd-cases-tbody"));
    var note = byId("sd-cases-note");
    byId("sd-case-file-link").setAttribute("href", XY.hashFor("cases", [], { subject: code }));
    if (!XY.signedIn()) { note.textContent = "登录后可查看该对象的异议和修复案件。"; return; }
    note.textContent = "加载中…";
    XY.settle(XY.api("/cases" + XY.qs({ subject: code }))).then(function (res) {
      if (XY.stale(seq)) { return; }
      if (!res.ok) { note.textContent = "无法查看案件:" + XY.describeError(res.error); return; }
      var rows = res.value || [];
      note.textContent = "共 " + rows.length + " 件";
      rows.forEach(function (c) {
        tb.appendChild(h("tr", { "data-testid": "subject-case-row", "data-case-id": c.id, "data-state": c.state },
          h("td", {}, caseLink(c)), h("td", { text: C.KIND[c.kind] || c.kind }), h("td", { text: C.targetText(c) }),
          h("td", {}, C.stateTag(c)), h("td", {}, C.dueCell(c))));
      });
    });
  }

  function filterNow(ev) {
    if (ev) { ev.preventDefault(); }
    XY.go("cases", [], { state: byId("cq-state").value, department: byId("cq-department").value, overdue: byId("cq-overdue").value });
  }

  function init() {
    byId("cq-filter").addEventListener("submit", filterNow);
    ["cq-state", "cq-department", "cq-overdue"].forEach(function (id) { byId(id).addEventListener("change", function () { filterNow(); }); });
    byId("cq-reset").addEventListener("click", function () { XY.go("cases", [], {}); });
    byId("cf2-subject").addEventListener("change", loadTargets);
    byId("case-file-form").addEventListener("submit", submitCase);
  }

  init();
  XY.hooks.subject.push(subjectCases);
  XY.addView("cases", showQueue);
}());
