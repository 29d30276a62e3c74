// The client's next booking, kept on this device per business so the widget can show it
// offline (installable widget, ARCHITECTURE "Widget"). Only this one summary is stored:
// service, staff, location and start (with its time zone), no notes, answers or prices; the
// service worker keeps no API answer with personal data. It is dropped on sign-out, on account
// deletion and whenever the widget finds nobody (or somebody else) signed in.

const PREFIX = "regulars.next-booking.";
const ACTIVE = new Set(["booked", "confirmed"]);

function key(slug) {
  return PREFIX + slug;
}

/** Keeps the earliest active booking of an upcoming list (none: forgets what was kept). */
export function rememberNext(slug, accountId, bookings) {
  const next = bookings
    .filter((b) => ACTIVE.has(b.status))
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))[0];
  if (!next) {
    forgetNext(slug);
    return;
  }
  const entry = {
    account_id: String(accountId),
    saved_at: new Date().toISOString(),
    booking: {
      service: next.service.name,
      staff: next.staff.name,
      location: next.business.name,
      starts_at: next.starts_at,
      timezone: next.business.timezone,
    },
  };
  try {
    localStorage.setItem(key(slug), JSON.stringify(entry));
  } catch {
    // Storage full or disabled: the widget works without the offline copy.
  }
}

/** What was kept for this business, or null. */
export function recallNext(slug) {
  try {
    const entry = JSON.parse(localStorage.getItem(key(slug)) || "null");
    return entry && entry.booking && typeof entry.booking.starts_at === "string" ? entry : null;
  } catch {
    return null;
  }
}

export function forgetNext(slug) {
  try {
    localStorage.removeItem(key(slug));
  } catch {
    // Nothing was stored.
  }
}
