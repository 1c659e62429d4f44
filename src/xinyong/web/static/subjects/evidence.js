/* 证明材料 Evidence of the subject's records as download links (GET /api/v1/evidence/{sha256}; the session cookie
 * goes with the link, the server audits each read, 122号 第十九条). Shown in the records and explanation tables. */
(function (XY) {
  "use strict";

  var h = XY.h, clear = XY.clear;

  function fill(recordId, files) {
    var slots = document.querySelectorAll("[data-evidence-for='" + recordId + "']");
    for (var i = 0; i < slots.length; i++) {
      var slot = clear(slots[i]);
      files.forEach(function (f) {
        slot.appendChild(h("a", { href: XY.API + "/evidence/" + encodeURIComponent(f.sha256), download: f.name || "",
          class: "evidence-link", "data-testid": "evidence-link", "data-sha256": f.sha256,
          title: (f.media_type || "") + " · " + (f.size || 0) + " 字节" }, "📎 " + (f.name || f.sha256.slice(0, 12))));
      });
    }
  }

  /** code: the subject shown; records: the rows of GET /subjects/{code}/records. One call for every record's files
   * (GET /subjects/{code}/evidence, not one per record); only a signed-in role with evidence.read sees them. */
  function loadEvidence(code, records, seq) {
    if (!XY.signedIn() || !(records || []).length) { return; }
    XY.api("/subjects/" + encodeURIComponent(code) + "/evidence").then(function (files) {
      if (XY.stale(seq) || !Array.isArray(files)) { return; }
      var byRecord = {};
      files.forEach(function (f) { (byRecord[f.record_id] = byRecord[f.record_id] || []).push(f); });
      Object.keys(byRecord).forEach(function (id) { fill(id, byRecord[id]); });
    }, function () { /* no right to read evidence (403): the slots stay empty */ });
  }

  XY.loadEvidence = loadEvidence;
}(window.XY));
