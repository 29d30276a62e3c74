// Small DOM helpers: elements from data (never HTML strings from the API), labelled form
// fields, and API errors shown next to the field they are about.

import { ApiError } from "./api.js";
import { errorText, has, locale, t } from "./i18n.js";
import { PASSWORD } from "./limits.js";

/** Builds an element. Attributes starting with "on" are listeners; `null`/`false` attributes are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "checked" || key === "value" || key === "selected") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let ids = 0;
export function uid(prefix = "f") {
  ids += 1;
  return `${prefix}-${ids}`;
}

/**
 * A labelled control with a slot for its error. `spec`: name, label, type (text, email, password,
 * tel, date, number, textarea, select), value, autocomplete, required, hint, options [[value, label]], attrs.
 */
export function field(spec) {
  const id = uid(spec.name.replace(/\W/g, "-"));
  const errorId = `${id}-error`;
  const hintId = spec.hint ? `${id}-hint` : null;
  const common = {
    id,
    name: spec.name,
    required: spec.required || null,
    autocomplete: spec.autocomplete || null,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    ...spec.attrs,
  };
  let control;
  if (spec.type === "textarea") {
    control = h("textarea", { ...common, rows: 3 });
    control.value = spec.value ?? "";
  } else if (spec.type === "select") {
    control = h(
      "select",
      common,
      (spec.options || []).map(([value, label]) => h("option", { value }, label)),
    );
    control.value = spec.value ?? "";
  } else {
    control = h("input", { ...common, type: spec.type || "text" });
    control.value = spec.value ?? "";
  }
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, spec.label, spec.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null),
    spec.hint ? h("p", { class: "hint", id: hintId }, spec.hint) : null,
    control,
    h("p", { class: "field-error", id: errorId, hidden: true }),
  );
}

/** An on/off switch: a native checkbox with role=switch, so keyboards and screen readers know it. */
export function toggle({ name, label, checked, onchange, describedBy }) {
  const id = uid(name);
  return h(
    "div",
    { class: "switch" },
    h("input", {
      type: "checkbox",
      role: "switch",
      id,
      name,
      checked: Boolean(checked),
      "aria-describedby": describedBy || null,
      onchange,
    }),
    h("label", { for: id }, label),
  );
}

/** A field for a new password: the server's length limits, the hint that says them. */
export function newPasswordField({ name = "password", label }) {
  return field({
    name,
    label,
    type: "password",
    autocomplete: "new-password",
    required: true,
    hint: t("fields.password_hint"),
    attrs: PASSWORD,
  });
}

export function button(label, attrs = {}) {
  return h("button", { type: "button", class: "button", ...attrs }, label);
}

/** A form with a general error area on top and a submit button; fields as given. */
/**
 * `onerror(formEl, error)` may add to the general error (e.g. a forgot-password link); `error` is
 * null when required fields were empty.
 */
export function form({ fields, submitLabel, submitClass = "button primary", onsubmit, onerror, after = [], label }) {
  const el = h(
    "form",
    { novalidate: true, "aria-label": label || null },
    h("div", { class: "form-error", role: "alert", hidden: true }),
    fields,
    h("div", { class: "actions" }, h("button", { type: "submit", class: submitClass }, submitLabel), after),
  );
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(el);
    if (!checkRequired(el)) {
      if (onerror) onerror(el, null);
      return;
    }
    const submit = el.querySelector("button[type=submit]");
    submit.disabled = true;
    el.setAttribute("aria-busy", "true");
    try {
      await onsubmit(values(el), el);
    } catch (error) {
      showError(el, error);
      if (onerror) onerror(el, error);
    } finally {
      submit.disabled = false;
      el.removeAttribute("aria-busy");
    }
  });
  return el;
}

/** The form's values by control name; checkboxes as booleans, text trimmed. */
export function values(formEl) {
  const out = {};
  for (const control of formEl.elements) {
    if (!control.name || control.disabled) continue;
    if (control.type === "checkbox") out[control.name] = control.checked;
    else if (control.type === "password") out[control.name] = control.value;
    else out[control.name] = control.value.trim();
  }
  return out;
}

function checkRequired(formEl) {
  let ok = true;
  for (const control of formEl.elements) {
    if (control.required && !String(control.value).trim()) {
      setFieldError(control, t("errors.required"));
      if (ok) control.focus();
      ok = false;
    }
  }
  if (!ok) formError(formEl, t("errors.check_fields"));
  return ok;
}

export function clearErrors(formEl) {
  for (const slot of formEl.querySelectorAll(".field-error")) {
    slot.hidden = true;
    slot.textContent = "";
  }
  for (const control of formEl.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  const general = formEl.querySelector(".form-error");
  general.hidden = true;
  general.replaceChildren();
}

function setFieldError(control, message) {
  control.setAttribute("aria-invalid", "true");
  const slot = document.getElementById(`${control.id}-error`);
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
  }
}

/** Shows a message (and optional extra nodes, e.g. a link) above the form. */
export function formError(formEl, message, ...extra) {
  const general = formEl.querySelector(".form-error");
  general.replaceChildren(h("p", {}, message), ...extra);
  general.hidden = false;
}

/** A field's error: the API's own words in English, the catalog's text for that field otherwise. */
function fieldErrorText(item) {
  const name = String(item.field || "").split(".").pop();
  if (item.code === "value_error" && item.message) {
    if (locale() === "en") return item.message.replace(/^Value error, /, "").replace(/^./, (c) => c.toUpperCase());
    if (has(`errors.fields.${name}`)) return t(`errors.fields.${name}`);
  }
  return errorText(item.code, item.message);
}

function controlFor(formEl, fieldName) {
  const candidates = [fieldName, fieldName.replace(/^body\./, ""), fieldName.split(".").pop()];
  for (const name of candidates) {
    const control = formEl.elements.namedItem(name);
    if (control && control.nodeType === 1) return control;
  }
  return null;
}

/** Puts each field error next to its control; whatever has no control goes on top of the form. */
export function showError(formEl, error) {
  if (!(error instanceof ApiError)) {
    formError(formEl, t("errors.unexpected"));
    console.error(error);
    return;
  }
  let focused = false;
  const unplaced = [];
  for (const item of error.fields) {
    const control = controlFor(formEl, String(item.field || ""));
    const message = fieldErrorText(item);
    if (control) {
      setFieldError(control, message);
      if (!focused) {
        control.focus();
        focused = true;
      }
    } else {
      unplaced.push(message);
    }
  }
  if (!error.fields.length || unplaced.length) {
    formError(formEl, error.fields.length ? unplaced.join(" ") : errorText(error.code, error.message));
  } else {
    formError(formEl, t("errors.check_fields"));
  }
}

/** A page's main card: a heading and what follows. */
export function page(title, ...children) {
  return h("section", { class: "card narrow" }, h("h1", {}, title), children);
}

/**
 * The one status message of the widget, read out by screen readers: `kind` "success" (saved,
 * sent, …), "offline", "info" (role=status) or "error" (role=alert). Never HTML from the API.
 */
export function notice(message, kind = "success") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
}

/** An API error as an error notice, in the client's language. */
export function errorNotice(error) {
  return notice(errorText(error.code, error.message), "error");
}

/** What card `el` shows from the API: the answer of `load()`; when that fails, the card's title and
 * the error in its place, and null. */
export async function loadInto(el, load) {
  try {
    return await load();
  } catch (error) {
    el.replaceChildren(el.querySelector("h2"), errorNotice(error));
    return null;
  }
}

/** Replaces the status line of a card (or adds one) with `message`. */
export function flash(container, message, kind = "success") {
  const existing = container.querySelector(":scope > .notice");
  const node = notice(message, kind);
  if (existing) existing.replaceWith(node);
  else container.append(node);
  return node;
}
