// The booking flow's texts (namespace "booking", widget/i18n/booking/<locale>.json) in the widget's
// language, its stylesheet, and formatting of times in the business's time zone.
import { loadNamespace, locale, translator } from "../i18n.js";

/** The text for `key` in the booking namespace, `{name}` placeholders filled. */
export const bt = translator("booking");

/** Loads the booking texts in the widget's current language and the booking stylesheet. */
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
  await loadNamespace("booking");
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
  return bt.has(`reasons.${code}`) ? bt(`reasons.${code}`, { until, business: business.name }) : code;
}
