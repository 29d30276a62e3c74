// Message catalogs (widget/i18n/<locale>.json) and locale-aware formatting through Intl.

export const LOCALES = ["en", "es", "it", "pt"];
const STORAGE_KEY = "regulars.locale";
const catalogs = new Map();
let current = "en";
let catalog = {};
let fallback = {};

async function load(locale) {
  if (!catalogs.has(locale)) {
    const response = await fetch(new URL(`./i18n/${locale}.json`, import.meta.url));
    catalogs.set(locale, response.ok ? await response.json() : {});
  }
  return catalogs.get(locale);
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
  [catalog, fallback] = await Promise.all([load(current), load("en")]);
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

/** The text for `key` in the current language (English if missing), with `{name}` placeholders filled. */
export function t(key, vars = {}) {
  let text = lookup(catalog, key);
  if (typeof text !== "string") text = lookup(fallback, key);
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

/** True when the catalog has a text for `key`. */
export function has(key) {
  return typeof lookup(catalog, key) === "string" || typeof lookup(fallback, key) === "string";
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
