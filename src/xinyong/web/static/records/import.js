/* 批量导入 Bulk import of records (CSV/XLSX, 122号 第八条 人工录入 by file) with the upload's progress, the counts,
 * the rejected rows and a downloadable per-row error report; and the subject list's "导出 Excel" (台账).
 * Route #/import, added with XY.addView. The upload uses XMLHttpRequest: fetch reports no upload progress. */
(function (XY) {
  "use strict";

  var byId = XY.byId, clear = XY.clear, h = XY.h, qs = XY.qs;

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)xy_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function show() {
    XY.setState("import", "ready");
    if (!XY.signedIn()) {
      setStatus("尚未登录：导入需要先在页头登录 / sign in first", true);
    }
  }

  function setStatus(text, isError) {
    var p = byId("im-status");
    p.textContent = text;
    p.className = isError ? "notice notice-error" : "summary";
  }

  function showResult(data) {
    byId("im-total").textContent = String(data.total);
    byId("im-accepted").textContent = String(data.accepted);
    byId("im-same").textContent = String(data.same);
    byId("im-refused").textContent = String(data.refused);
    var tbody = clear(byId("im-error-tbody"));
    data.errors.forEach(function (e) {
      tbody.appendChild(h("tr", { "data-testid": "import-error-row" }, [
        h("td", { class: "num" }, String(e.row)), h("td", null, e.field),
        h("td", null, e.reason_zh), h("td", { lang: "en" }, e.reason_en)]));
    });
    byId("im-errors-left").textContent = data.errors_left_out ? "另有 " + data.errors_left_out + " 条错误见报告" : "";
    byId("im-errors").hidden = data.errors.length === 0;
    var base = XY.API + ["/records/import", encodeURIComponent(data.report_id), "errors"].join("/");
    byId("im-report-csv").href = base + ".csv";
    byId("im-report-xlsx").href = base + ".xlsx";
    byId("im-result").hidden = false;
  }

  function upload(ev) {
    ev.preventDefault();
    var input = byId("im-file");
    var file = input.files && input.files[0];
    byId("im-result").hidden = true;
    if (!file) { setStatus("请选择 .csv 或 .xlsx 文件 / choose a file", true); input.focus(); return; }
    var form = new FormData();
    form.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    var bar = byId("im-progress");
    bar.value = 0;
    bar.hidden = false;
    byId("im-submit").disabled = true;
    XY.setState("import", "loading");
    setStatus("上传中… / uploading", false);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
    };
    xhr.upload.onload = function () {
      bar.removeAttribute("value"); // indeterminate while the server checks and stores the rows
      setStatus("服务器处理中… / importing", false);
    };
    function done() { byId("im-submit").disabled = false; bar.hidden = true; }
    xhr.onload = function () {
      done();
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status === 200 && data) {
        setStatus("导入完成 / import finished", false);
        showResult(data);
        XY.setState("import", "ready");
        return;
      }
      var problems = data && data.detail ? XY.normaliseDetail(data.detail) : [];
      setStatus("导入失败(" + xhr.status + ")：" + problems.map(function (p) {
        return (p.field ? p.field + ": " : "") + p.reason_zh;
      }).join("；"), true);
      XY.setState("import", "error");
    };
    xhr.onerror = function () { done(); setStatus("网络错误，导入未完成 / network error", true); XY.setState("import", "error"); };
    xhr.open("POST", XY.API + "/records/import");
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    var csrf = csrfToken();
    if (csrf) { xhr.setRequestHeader("X-CSRF-Token", csrf); }
    xhr.send(form);
  }

  // 导出 Excel on the subject list: the list as filtered in the form (GET /api/v1/subjects.xlsx, same filters)
  function exportHref() {
    return XY.API + "/subjects.xlsx" + qs({ q: byId("subj-q").value.trim(), grade: byId("subj-grade").value,
                                             industry: byId("subj-industry").value });
  }

  byId("im-form").addEventListener("submit", upload);
  var exp = byId("subj-export");
  exp.href = XY.API + "/subjects.xlsx";
  exp.addEventListener("click", function () { exp.href = exportHref(); });
  XY.addView("import", show);
}(window.XY));
