// What a client has typed or just done in the booking flow, kept in the tab's sessionStorage (one
// entry per business) so that Back, Forward, a reload or a language change lose nothing. Personal
// details live only here, never in the address, and go as soon as the booking is made.

const key = (slug) => `regulars.booking.${slug}`;

/** Everything kept for this business's flow in this tab: { details, idempotency, done }. */
export function recall(slug) {
  try {
    return JSON.parse(sessionStorage.getItem(key(slug)) || "{}") || {};
  } catch {
    return {};
  }
}

/** Merges `patch` into what is kept (an entry set to undefined is removed). */
export function keep(slug, patch) {
  try {
    sessionStorage.setItem(key(slug), JSON.stringify({ ...recall(slug), ...patch }));
  } catch {
    // Storage full or disabled: the flow still works, it just forgets on reload.
  }
}
