// Message catalogs by namespace (widget/i18n/<namespace>/<locale>.json) and locale-aware
// formatting through Intl. The "widget" namespace (shell, account pages, errors) is always loaded;
// a view that has its own texts loads its namespace with `loadNamespace` and reads it through
// `translator(namespace)`. A language change reloads every namespace loaded so far.

export const LOCALES = ["en", "es", "it", "pt"];
const STORAGE_KEY = "regulars.locale";
const WIDGET = "widget";
const catalogs = new Map(); // "<namespace>/<locale>" -> catalog
const loaded = new Map(); // namespace -> [catalog in the current language, English]
let current = "en";

async function fetchCatalog(namespace, code) {
  const key = `${namespace}/${code}`;
  if (!catalogs.has(key)) {
    const response = await fetch(new URL(`./i18n/${key}.json`, import.meta.url));
    catalogs.set(key, response.ok ? await response.json() : {});
  }
  return catalogs.get(key);
}

async function activate(namespace) {
  loaded.set(namespace, await Promise.all([fetchCatalog(namespace, current), fetchCatalog(namespace, "en")]));
}

/** Loads a namespace's catalog in the current language (and English, the fallback). */
export function loadNamespace(namespace) {
  return activate(namespace);
}

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The client's choice if remembered, else the browser's languages, else the business's default. */
export function pickLocale(businessDefault) {
  const stored = remembered();
  if (LOCALES.includes(stored)) return stored;
  for (const tag of navigator.languages || [navigator.language]) {
    const language = String(tag || "").toLowerCase().split("-")[0];
    if (LOCALES.includes(language)) return language;
  }
  return LOCALES.includes(businessDefault) ? businessDefault : "en";
}

export async function setLocale(locale, { remember = false } = {}) {
  current = LOCALES.includes(locale) ? locale : "en";
  await Promise.all([...new Set([WIDGET, ...loaded.keys()])].map(activate));
  document.documentElement.lang = current;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }
}

export function locale() {
  return current;
}

function lookup(table, key) {
  return key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), table);
}

/** The text for `key` in a namespace, in the current language or else English; undefined if neither has it. */
function find(namespace, key) {
  for (const table of loaded.get(namespace) || []) {
    const text = lookup(table, key);
    if (typeof text === "string") return text;
  }
  return undefined;
}

/**
 * The texts of one namespace: `tr(key, vars)` is the text for `key` with `{name}` placeholders
 * filled (the key itself when missing), `tr.has(key)` whether there is one.
 */
export function translator(namespace) {
  const tr = (key, vars = {}) => {
    const text = find(namespace, key);
    if (text === undefined) return key;
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
  };
  tr.has = (key) => find(namespace, key) !== undefined;
  return tr;
}

/** The widget's own texts. */
export const t = translator(WIDGET);
export const has = t.has;

/** An API error in the client's language: `errors.<code>` of any loaded namespace, else the API's message. */
export function errorText(code, message) {
  for (const namespace of loaded.keys()) {
    const text = find(namespace, `errors.${code}`);
    if (text !== undefined) return text;
  }
  return message || t("errors.unexpected");
}

let timeZone = "UTC";
export function setTimeZone(zone) {
  timeZone = zone || "UTC";
}

/** A moment (ISO date-time) in the business's time zone. */
export function formatDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}

/** A calendar date (ISO `YYYY-MM-DD`, e.g. a birthday): no time zone moves it. */
export function formatDate(isoDate) {
  if (!isoDate) return "";
  const date = new Date(`${String(isoDate).slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return String(isoDate);
  return new Intl.DateTimeFormat(current, { dateStyle: "long", timeZone: "UTC" }).format(date);
}

export function languageName(code) {
  try {
    const name = new Intl.DisplayNames([code], { type: "language" }).of(code);
    return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
  } catch {
    return code;
  }
}
