// Published information: rankings (122号 Art.17), consolidated measures lists (Art.20, 21, 24) and the standards in
// force or under consultation with the public comment form (Art.12).
import { day, t } from "./i18n.js";
import { api, field, gradeBadge, h, showErrors, status, table } from "./dom.js";

const cache = {};

async function namesOf(what) { // code → name of the industries or departments (reference data, public)
  if (!cache[what]) {
    const res = await api(`/api/v1/${what}`);
    cache[what] = Object.fromEntries((res.ok ? res.data : []).map((i) => [i.code, i.name]));
  }
  return cache[what];
}

const industries = () => namesOf("industries");

function failure(res) {
  const box = h("div", { class: "errors", role: "alert" });
  showErrors(box, res);
  return box;
}

// --- 排行榜 -----------------------------------------------------------------------------------------------------

export async function rankingsView() {
  const [res, names] = await Promise.all([api("/api/v1/public/rankings"), industries()]);
  const head = [h("h1", {}, t("rankingsTitle")), h("p", { class: "note" }, t("rankingsNote"))];
  if (!res.ok) return h("section", { "data-testid": "view-rankings" }, head, failure(res));
  if (!res.data.length) return h("section", { "data-testid": "view-rankings" }, head, status(t("noRankings")));
  const cards = res.data.map((r) => {
    const title = `${names[r.industry] ?? r.industry} · ${day(r.as_of)}`;
    const rows = r.entries.map((e) => h("tr", { "data-testid": "ranking-row" },
      h("td", { class: "num" }, e.rank), h("td", {}, e.name), h("td", { class: "code" }, e.subject),
      h("td", { class: "num" }, e.score), h("td", {}, gradeBadge(e.grade)), h("td", {}, e.level)));
    return h("section", { class: "card", "data-testid": "ranking", "data-id": r.id },
      h("h2", {}, title),
      h("p", { class: "note" }, `${t("published")}: ${day(r.approved_at)}`),
      table(title, [t("colRank"), t("colName"), t("colCode"), t("colScore"), t("colGrade"), t("colLevel")], rows));
  });
  return h("section", { "data-testid": "view-rankings" }, head, cards);
}

// --- 措施清单 ---------------------------------------------------------------------------------------------------

export async function measuresView(params) {
  const kind = params.get("kind") === "incentive" ? "incentive" : "punishment";
  const select = h("select", { name: "kind", "data-testid": "measures-kind" },
    ["punishment", "incentive"].map((k) => h("option", { value: k, selected: k === kind }, t(k))));
  const form = h("form", { class: "inline" }, field(t("kindLabel"), select),
    h("button", { type: "submit" }, t("showBtn")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/measures?kind=${select.value}`;
  });
  const [res, names, depts] = await Promise.all([api(`/api/v1/public/measures?kind=${kind}`), industries(),
    namesOf("departments")]);
  const head = [h("h1", {}, t("measuresTitle")), h("p", { class: "note" }, t("measuresNote")), form];
  if (!res.ok) return h("section", { "data-testid": "view-measures" }, head, failure(res));
  const entries = res.data.entries;
  if (!entries.length) return h("section", { "data-testid": "view-measures" }, head, status(t("noMeasures")));
  const rows = entries.map((e) => h("tr", { "data-testid": "measure-row" },
    h("td", {}, names[e.industry] ?? e.industry),
    h("td", {}, gradeBadge(e.grade), e.level ? ` ${e.level}` : ""),
    h("td", {}, t(`pr_${e.process}`)), h("td", {}, e.item), h("td", {}, e.basis), h("td", {}, e.category),
    h("td", {}, depts[e.department] ?? e.department)));
  return h("section", { "data-testid": "view-measures" }, head,
    h("h2", {}, `${res.data.name} · ${day(res.data.on)}`),
    table(res.data.name, [t("colIndustry"), t("colGrade"), t("colProcess"), t("colMeasure"), t("colBasis"),
      t("colCategory"), t("colDeptImpl")], rows));
}

// --- 评价标准及征求意见 -----------------------------------------------------------------------------------------

export async function standardsView() {
  const [res, names] = await Promise.all([api("/api/v1/public/standards"), industries()]);
  const head = [h("h1", {}, t("standardsTitle")), h("p", { class: "note" }, t("standardsNote"))];
  if (!res.ok) return h("section", { "data-testid": "view-standards" }, head, failure(res));
  const rows = res.data.map((s) => h("tr", { "data-testid": "standard-row", "data-version": s.version,
    "data-status": s.status },
    h("td", {}, s.name, h("br"), h("small", { class: "code" }, s.version)),
    h("td", {}, s.industry ? (names[s.industry] ?? s.industry) : t("general")),
    h("td", {}, t(s.status)),
    h("td", {}, s.consultation_start ? `${day(s.consultation_start)} – ${day(s.consultation_end)}` : "—"),
    h("td", {}, day(s.effective_date))));
  const forms = res.data.filter((s) => s.open_for_comments).map(commentForm);
  const details = res.data.map(itemsDetails);
  return h("section", { "data-testid": "view-standards" }, head,
    table(t("standardsTitle"), [t("colStandard"), t("colIndustry"), t("colStatus"), t("colConsultation"),
      t("colEffective")], rows),
    forms, h("div", { class: "details-list" }, details));
}

function itemsDetails(s) {
  const body = h("div", {});
  const el = h("details", { "data-version": s.version }, h("summary", {}, `${t("showItems")}: ${s.name}`), body);
  el.addEventListener("toggle", async () => {
    if (!el.open || body.childElementCount) return;
    const res = await api(`/api/v1/standards/${encodeURIComponent(s.version)}`);
    if (!res.ok) { body.append(failure(res)); return; }
    const rows = (res.data.items ?? []).map((it) => h("tr", {},
      h("td", { class: "code" }, it.code), h("td", {}, it.name), h("td", {}, t(it.polarity)),
      h("td", { class: "num" }, it.points)));
    body.append(table(s.name, [t("colVersion"), t("colItem"), t("colPolarity"), t("colPoints")], rows));
  });
  return el;
}

function commentForm(s) {
  const name = h("input", { name: "name", maxlength: "100", autocomplete: "name" });
  const contact = h("input", { name: "contact", maxlength: "200", autocomplete: "email" });
  const text = h("textarea", { name: "text", rows: "5", maxlength: "5000", required: true,
    "data-testid": "comment-text" });
  const errors = h("div", { class: "errors", role: "alert" });
  const done = h("div", { "aria-live": "polite", "data-testid": "comment-done" });
  const headingId = `comment-h-${s.version.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const form = h("form", { class: "card", "data-testid": "comment-form", "data-version": s.version,
    "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("commentTitle", { v: s.name })),
    field(t("commentName"), name), field(t("commentContact"), contact), field(t("commentText"), text),
    h("button", { type: "submit", class: "primary" }, t("commentBtn")), errors, done);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { text: text.value };
    if (name.value.trim()) body.name = name.value.trim();
    if (contact.value.trim()) body.contact = contact.value.trim();
    const res = await api(`/api/v1/standards/${encodeURIComponent(s.version)}/comments`, { method: "POST", body });
    if (!res.ok) { showErrors(errors, res, form); return; }
    showErrors(errors, null, form);
    text.value = "";
    done.replaceChildren(status(t("commentDone", { id: res.data.id }), "ok"));
  });
  return form;
}
