// The booking flow's own message catalogs (booking/i18n/<locale>.json), in the widget's language,
// its stylesheet, and formatting of times in the business's time zone.
import { locale } from "../i18n.js";

const catalogs = new Map();
let current = {};
let fallback = {};

async function load(code) {
  if (!catalogs.has(code)) {
    const response = await fetch(new URL(`./i18n/${code}.json`, import.meta.url));
    catalogs.set(code, response.ok ? await response.json() : {});
  }
  return catalogs.get(code);
}

/** Loads the catalog of the widget's current language and the booking stylesheet. */
export async function prepare() {
  if (!document.querySelector("link[data-booking-styles]")) {
    document.head.append(
      Object.assign(document.createElement("link"), {
        rel: "stylesheet",
        href: new URL("./booking.css", import.meta.url).href,
      }),
    );
    document.head.lastElementChild.setAttribute("data-booking-styles", "");
  }
  [current, fallback] = await Promise.all([load(locale()), load("en")]);
}

function lookup(table, key) {
  return key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), table);
}

/** The text for `key`, `{name}` placeholders filled. */
export function bt(key, vars = {}) {
  let text = lookup(current, key);
  if (typeof text !== "string") text = lookup(fallback, key);
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

export function hasText(key) {
  return typeof lookup(current, key) === "string" || typeof lookup(fallback, key) === "string";
}

/** "14:30" (or "2:30 PM") in the business's zone. */
export function timeOf(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { hour: "numeric", minute: "2-digit", timeZone }).format(new Date(iso));
}

/** "Tuesday, 24 November 2026" in the business's zone. */
export function dayOf(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeZone }).format(new Date(iso));
}

export function whenOf(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "short", timeZone }).format(new Date(iso));
}

/** The calendar day (YYYY-MM-DD) of a moment in a zone. */
export function isoDay(date, timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone })
    .formatToParts(date)
    .reduce((acc, part) => ({ ...acc, [part.type]: part.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function addDays(day, count) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + count);
  return date.toISOString().slice(0, 10);
}

export function money(minor, currency) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(minor / 100);
}

/** Why an action is not allowed, in words (R-A2, R-S3). */
export function reasonText(rule, business) {
  const code = rule.reason || "not_allowed";
  const until = rule.until ? whenOf(rule.until, business.timezone) : "";
  return hasText(`reasons.${code}`) ? bt(`reasons.${code}`, { until, business: business.name }) : code;
}

/** An API error in the booking catalog's words when it has them (the message of the error changes). */
export function localized(error) {
  if (error && error.code && hasText(`errors.${error.code}`)) error.message = bt(`errors.${error.code}`);
  return error;
}

/** Runs `work`; an API error is re-thrown in the booking catalog's words. */
export async function inWords(work) {
  try {
    return await work();
  } catch (error) {
    throw localized(error);
  }
}
