/* 录入 Enter a record (122号 第八条): inline field errors in Chinese and English, the result with the new grade. */
(function (XY) {
  "use strict";

  var h = XY.h, byId = XY.byId, clear = XY.clear, append = XY.append, api = XY.api, ref = XY.ref;
  var fmtNum = XY.fmtNum, fmtSigned = XY.fmtSigned, isNum = XY.isNum, today = XY.today, gradeOf = XY.gradeOf;
  var setBadge = XY.setBadge, setFused = XY.setFused, kindName = XY.kindName, setState = XY.setState;
  var describeError = XY.describeError, ApiError = XY.ApiError, statusText = XY.statusText;
  var industryName = XY.industryName, hashFor = XY.hashFor, stale = XY.stale;
  var loadReference = XY.loadReference, formError = XY.formError;

  /* ------------------------------------------------------------------ 4. enter a record */

  function showEnter(r, seq) {
    document.title = "录入 · 信用评价管理系统";
    setState("enter", "loading");
    var subj = r.query.get("subject");
    if (subj !== null && subj !== byId("rf-subject").value) {
      byId("rf-subject").value = subj;
      lookupSubject();
    }
    if (!byId("rf-act_date").value) { byId("rf-act_date").value = today(); }
    return loadReference().then(function () {
      if (stale(seq)) { return; }
      setState("enter", "ready");
    });
  }

  /** Clone the static error template from index.html. */

  function clearFormErrors() {
    clear(byId("rf-errors-general"));
    FORM_FIELDS.forEach(function (f) {
      clear(byId("rf-err-" + f));
      byId("rf-" + f).removeAttribute("aria-invalid");
      byId("rf-" + f).closest(".field").classList.remove("has-error");
    });
  }

  function fieldKey(field) {
    if (!field) { return null; }
    var parts = String(field).split(/[.\/\[\]]/).filter(Boolean);
    for (var i = parts.length - 1; i >= 0; i--) { if (FORM_FIELDS.indexOf(parts[i]) >= 0) { return parts[i]; } }
    return null;
  }

  function showFormErrors(err) {
    var problems = err instanceof ApiError ? err.problems : [];
    var general = byId("rf-errors-general");
    var first = null;
    if (err instanceof ApiError) {
      general.appendChild(h("p", { class: "form-error-head", text: "提交未成功:HTTP " + err.status + " " + statusText(err.status) }));
    }
    if (!problems.length) {
      general.appendChild(formError(null, describeError(err), ""));
    }
    problems.forEach(function (p) {
      var key = fieldKey(p.field);
      if (key) {
        byId("rf-err-" + key).appendChild(formError(key, p.reason_zh, p.reason_en));
        var input = byId("rf-" + key);
        input.setAttribute("aria-invalid", "true");
        input.closest(".field").classList.add("has-error");
        if (!first) { first = input; }
      } else {
        general.appendChild(formError(p.field, (p.field ? "[" + p.field + "] " : "") + p.reason_zh, p.reason_en));
      }
    });
    if (first) { first.focus(); } else { general.scrollIntoView({ block: "nearest" }); }
  }

  function submitRecord(ev) {
    ev.preventDefault();
    clearFormErrors();
    byId("rf-result").hidden = true;
    var body = {
      subject: byId("rf-subject").value.trim(),
      item: byId("rf-item").value,
      act_date: byId("rf-act_date").value,
      department: byId("rf-department").value,
      source_ref: byId("rf-source_ref").value.trim()
    };
    var note = byId("rf-note").value.trim();
    if (note) { body.note = note; }
    var btn = byId("rf-submit");
    var status = byId("rf-status");
    btn.disabled = true;
    status.textContent = XY.signedIn() ? "正在提交…" : "正在提交…(尚未登录,服务器可能拒绝)";
    byId("view-enter").setAttribute("data-state", "submitting");
    api("/records", { method: "POST", body: body }).then(function (rec) {
      btn.disabled = false;
      status.textContent = "已提交";
      byId("view-enter").setAttribute("data-state", "submitted");
      renderResult(rec || {}, body);
      byId("rf-source_ref").value = "";
      byId("rf-note").value = "";
    }, function (e) {
      btn.disabled = false;
      status.textContent = "提交未成功,请检查标注的字段";
      byId("view-enter").setAttribute("data-state", "error");
      showFormErrors(e);
    });
  }

  function renderResult(rec, body) {
    var ev = rec.evaluation || {};
    var subject = rec.subject || body.subject;
    byId("rf-result-id").textContent = rec.id === undefined ? "—" : "#" + rec.id;
    byId("rf-result-id").setAttribute("data-value", rec.id === undefined ? "" : String(rec.id));
    byId("rf-result-subject").textContent = subject || "—";
    byId("rf-result-scope").textContent = industryName(ev.industry);
    var flags = clear(byId("rf-result-flags"));
    if (rec.due_date) { append(flags, [" · 填报期限 ", rec.due_date]); }
    if (rec.due_provisional) { append(flags, [" ", h("span", { class: "tag tag-provisional", text: "预估" })]); }
    if (rec.late) { append(flags, [" ", h("span", { class: "tag tag-late", text: "逾期" })]); }
    var sc = byId("rf-result-score");
    sc.textContent = fmtNum(ev.score);
    sc.setAttribute("data-value", isNum(ev.score) ? String(ev.score) : "");
    sc.setAttribute("data-grade", gradeOf(ev.grade));
    setBadge(byId("rf-result-grade"), ev.grade, gradeOf(ev.grade));
    setBadge(byId("rf-result-level"), ev.level, gradeOf(ev.level));
    setFused(byId("rf-result-fused"), ev.fused === undefined ? null : !!ev.fused);
    byId("rf-result-link").setAttribute("href", hashFor("subject", [subject], ev.industry ? { industry: ev.industry } : {}));
    byId("rf-result").hidden = false;
    byId("rf-result").scrollIntoView({ block: "nearest" });
  }

  var lookupSeq = 0;
  function lookupSubject() {
    var code = byId("rf-subject").value.trim();
    var hint = byId("rf-subject-hint");
    var seq = ++lookupSeq;
    hint.className = "hint";
    if (!code) { hint.textContent = ""; return; }
    hint.textContent = "正在查询评价对象…";
    api("/subjects/" + encodeURIComponent(code)).then(function (sub) {
      if (seq !== lookupSeq) { return; }
      sub = sub || {};
      var inds = Array.isArray(sub.industries) ? sub.industries : [];
      hint.textContent = (sub.name || "—") + " · " + kindName(sub.kind) + " · 所属行业:" + (inds.length ? inds.map(industryName).join("、") : "无");
      hint.className = "hint hint-ok";
    }, function (e) {
      if (seq !== lookupSeq) { return; }
      hint.textContent = e instanceof ApiError && e.status === 404 ? "未找到该评价对象(提交时以服务器校验为准)" : "查询评价对象失败:" + describeError(e);
      hint.className = "hint hint-warn";
    });
  }

  function syncItemHint() {
    var hint = byId("rf-item-hint");
    var it = ref.itemMap[byId("rf-item").value];
    clear(hint);
    if (!it) { return; }
    append(hint, [
      h("span", { class: "tag " + (it.polarity === "good" ? "tag-good" : "tag-bad"), text: it.polarity === "good" ? "加分" : "减分" }),
      " ", it.family === "general" ? "通用指标" : "行业指标 · " + industryName(it.industry),
      " · 每次 ", fmtSigned(it.points, it.polarity), " 分",
      it.cap !== null && it.cap !== undefined ? " · 周期上限 " + fmtNum(it.cap) + " 分" : "",
      it.fuse ? [" ", h("span", { class: "tag tag-fused", text: "熔断" })] : null,
      it.heavier ? [" ", h("span", { class: "tag tag-heavier", text: "较重" })] : null,
      it.article ? [h("br"), h("span", { class: "muted", text: "依据:" + it.article })] : null
    ]);
  }


  var FORM_FIELDS = ["subject", "item", "act_date", "department", "source_ref", "note"];
  byId("record-form").addEventListener("submit", submitRecord);
  byId("rf-reset").addEventListener("click", function () {
    byId("record-form").reset();
    byId("rf-act_date").value = today();
    clearFormErrors();
    byId("rf-subject-hint").textContent = "";
    byId("rf-status").textContent = "";
    byId("rf-result").hidden = true;
    syncItemHint();
  });
  byId("rf-subject").addEventListener("change", lookupSubject);
  byId("rf-item").addEventListener("change", syncItemHint);
  FORM_FIELDS.forEach(function (f) {
    byId("rf-" + f).addEventListener("input", function () {
      clear(byId("rf-err-" + f));
      this.removeAttribute("aria-invalid");
      this.closest(".field").classList.remove("has-error");
    });
  });
  XY.syncItemHint = syncItemHint;
  XY.addView("enter", showEnter);
}(window.XY));
