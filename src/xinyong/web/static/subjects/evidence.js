/* 证明材料 Evidence of the subject's records as download links (GET /api/v1/evidence/{sha256}; the session cookie
 * goes with the link, the server audits each read, 122号 第十九条). Shown in the records and explanation tables. */
(function (XY) {
  "use strict";

  var h = XY.h, clear = XY.clear;
  var MAX_RECORDS = 100; // the page asks once per record; a subject has few

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

  /** records: the rows of GET /subjects/{code}/records; only a signed-in role with evidence.read sees files. */
  function loadEvidence(records, seq) {
    if (!XY.signedIn()) { return; }
    (records || []).slice(0, MAX_RECORDS).forEach(function (rec) {
      XY.api("/records/" + encodeURIComponent(rec.id) + "/evidence").then(function (files) {
        if (!XY.stale(seq) && Array.isArray(files) && files.length) { fill(rec.id, files); }
      }, function () { /* no right to read evidence (403) or none: the slot stays empty */ });
    });
  }

  XY.loadEvidence = loadEvidence;
}(window.XY));
