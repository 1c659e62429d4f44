/* Chinese first with an English switch. Labels are written bilingually in index.html ("总览 <small lang="en">
 * Overview</small>"); in English the Chinese text of such a label is hidden and its English part shown in full. */
(function (XY) {
  "use strict";

  var KEY = "xinyong.lang";
  var NAV_EN = { overview: "Overview", subjects: "Subjects", enter: "Enter", standards: "Standards", cases: "Cases",
    supervision: "Supervision" };

  /** Wrap the Chinese text beside each <small lang="en"> once, so that CSS can hide it in English. */
  function prepare() {
    var smalls = document.querySelectorAll("small[lang='en']");
    for (var i = 0; i < smalls.length; i++) {
      var p = smalls[i].parentNode;
      if (!p || p.getAttribute("data-i18n") === "done") { continue; }
      p.setAttribute("data-i18n", "done");
      Array.prototype.slice.call(p.childNodes).forEach(function (n) {
        if (n.nodeType === 3 && n.nodeValue.trim()) {
          var span = document.createElement("span");
          span.className = "zh";
          span.setAttribute("lang", "zh-CN");
          p.replaceChild(span, n);
          span.appendChild(n);
        }
      });
    }
    var links = document.querySelectorAll("[data-nav]");
    for (var j = 0; j < links.length; j++) {
      var en = NAV_EN[links[j].getAttribute("data-nav")];
      if (en && !links[j].querySelector("small")) {
        var zh = links[j].textContent;
        links[j].textContent = "";
        links[j].appendChild(XY.h("span", { class: "zh", lang: "zh-CN", text: zh }));
        links[j].appendChild(XY.h("small", { lang: "en", class: "nav-en", text: en }));
      }
    }
  }

  function set(lang) {
    var en = lang === "en";
    document.documentElement.setAttribute("lang", en ? "en" : "zh-CN");
    document.body.classList.toggle("lang-en", en);
    var btn = XY.byId("lang-switch");
    btn.textContent = en ? "中文" : "English";
    btn.setAttribute("lang", en ? "zh-CN" : "en");
    btn.setAttribute("aria-label", en ? "切换到中文" : "Switch to English");
    try { localStorage.setItem(KEY, en ? "en" : "zh"); } catch (e) { /* private mode: not kept */ }
  }

  prepare();
  XY.byId("lang-switch").addEventListener("click", function () {
    set(document.body.classList.contains("lang-en") ? "zh" : "en");
  });
  var saved = "";
  try { saved = localStorage.getItem(KEY) || ""; } catch (e) { saved = ""; }
  set(saved === "en" ? "en" : "zh");
  XY.setLanguage = set;
  XY.prepareI18n = prepare;
}(window.XY));
