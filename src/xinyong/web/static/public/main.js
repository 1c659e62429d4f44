// 公众信用门户 entry: the hash router (#/…), the language switch and the shell. Each view is a module of its own;
// a view renders into <main> and sets data-state="ready" (the browser tests wait for it).
import { setLang, lang, t, translateStatic } from "./i18n.js";
import { h, status } from "./dom.js";
import { searchView, subjectView } from "./subjects.js";
import { rankingsView, measuresView, standardsView } from "./info.js";
import { accountView, caseView } from "./account.js";

const ROUTES = [
  [/^\/?$/, "search", (_m, q) => searchView(q)],
  [/^\/subject\/([^/?]+)$/, "search", (m) => subjectView(decodeURIComponent(m[1]))],
  [/^\/rankings$/, "rankings", () => rankingsView()],
  [/^\/measures$/, "measures", (_m, q) => measuresView(q)],
  [/^\/standards$/, "standards", () => standardsView()],
  [/^\/account$/, "account", (_m, q) => accountView(q)],
  [/^\/account\/case\/(\d+)$/, "account", (m) => caseView(Number(m[1]))],
];

let rendering = 0;

async function render() {
  const raw = location.hash.slice(1);
  const main = document.getElementById("main");
  // an in-page anchor such as the skip link (#main): keep the view shown
  if (raw && !raw.startsWith("/") && main.dataset.state === "ready") return;
  const [path, query = ""] = raw.split("?");
  const params = new URLSearchParams(query);
  const found = ROUTES.map(([re, nav, view]) => [path.match(re), nav, view]).find(([m]) => m);
  const [match, nav, view] = found ?? [null, "search", () => searchView(new URLSearchParams())];
  document.querySelectorAll("[data-nav]").forEach((a) => {
    if (a.dataset.nav === nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  const mine = ++rendering;
  main.dataset.state = "loading";
  main.replaceChildren(status(t("loading")));
  let content;
  try {
    content = await view(match, params);
  } catch (err) {
    content = h("section", {}, status(`${t("failed")}: ${err}`, "error"));
  }
  if (mine !== rendering) return; // a later navigation won
  main.replaceChildren(content);
  main.dataset.state = "ready";
}

function switchLanguage() {
  setLang(lang() === "zh" ? "en" : "zh");
  translateStatic();
  render();
}

setLang(lang());
translateStatic();
document.getElementById("lang-switch").addEventListener("click", switchLanguage);
window.addEventListener("hashchange", () => {
  render().then(() => {
    if (location.hash.startsWith("#/")) document.getElementById("main").focus({ preventScroll: false });
  });
});
render();
