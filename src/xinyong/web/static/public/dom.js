// Small shared helpers of the portal: element builder (text only, never innerHTML with data), the JSON API
// client (the subject's sign-in token kept for this tab only) and the error box.
import { lang, t } from "./i18n.js";

const TOKEN = "xy-public-token";

/** h("a", {href: "#/", class: "x"}, "text", child…): attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function token() { return sessionStorage.getItem(TOKEN); }
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN, value);
  else sessionStorage.removeItem(TOKEN);
}

/** fetch JSON (or multipart when `form` is a FormData): {ok, status, data}; never throws on an HTTP error. */
export async function api(path, { method = "GET", body, form, auth = false } = {}) {
  const headers = { Accept: "application/json" };
  if (auth && token()) headers.Authorization = `Bearer ${token()}`;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  try {
    const res = await fetch(path, { method, headers, body: payload });
    const data = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
    return { ok: res.ok, status: res.status, data };
  } catch (err) {
    return { ok: false, status: 0, data: { detail: [{ field: "", reason_zh: "网络错误", reason_en: String(err) }] } };
  }
}

/** The problems of an error answer, each {field, text} in the current language. */
export function problems(result) {
  const detail = result?.data?.detail;
  if (!Array.isArray(detail)) return [{ field: "", text: `HTTP ${result?.status ?? "?"}` }];
  return detail.map((p) => ({
    field: String(p.field ?? (Array.isArray(p.loc) ? p.loc.slice(1).join(".") : "")),
    text: (lang() === "en" ? p.reason_en : p.reason_zh) ?? p.msg ?? JSON.stringify(p),
  }));
}

/** Show an error answer in `box` (role=alert) and mark the named fields of `form` invalid. */
export function showErrors(box, result, form = null) {
  box.replaceChildren();
  form?.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  if (!result) return;
  const list = problems(result);
  box.append(h("p", {}, t("errorPrefix")), h("ul", {}, list.map((p) => h("li", { "data-field": p.field },
    p.field ? `${p.field}: ${p.text}` : p.text))));
  for (const p of list) form?.querySelector(`[name="${CSS.escape(p.field)}"]`)?.setAttribute("aria-invalid", "true");
}

/** A labelled form field: a <label for> and its control (input, select or textarea). */
export function field(label, control, hint = null) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintEl = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** A table with a caption, its header row and body rows (already built <tr>s). */
export function table(caption, headers, rows, attrs = {}) {
  for (const row of rows) { // at phone width each row becomes a card: every cell shows its column's name
    [...row.children].forEach((cell, i) => { cell.dataset.label = headers[i] ?? ""; });
  }
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h("table", attrs, h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows)));
}

export function gradeBadge(grade, extra = {}) {
  return grade ? h("span", { class: `badge g-${String(grade)[0]}`, ...extra }, grade) : h("span", {}, "—");
}

export function status(text, kind = "info") {
  return h("p", { class: `status ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
