// The account page's sections. Each is a module `sections/<id>.js` exporting
// `export async function render(container, ctx)`. The sidebar lists them in the order of
// R-U2 whatever the order below, so adding a section is one line here plus its module.
//
// `setting`: the name in the business's public profile `sections` (R-S2) that enables it;
// a section without one is always shown. `when(profile)`: an extra condition, if any.

export const R_U2_ORDER = [
  "bookings",
  "memberships",
  "packages",
  "gift_cards",
  "account",
  "payment",
  "referrals",
  "rewards",
  "notifications",
];

export const SECTIONS = [
  { id: "bookings", load: () => import("./bookings.js") },
  { id: "account", load: () => import("./account.js") },
  { id: "notifications", load: () => import("./notifications.js") },
];

/** Account settings open first (R-U2). */
export const DEFAULT_SECTION = "account";

/** The sections this business shows, in R-U2 order. A disabled section is absent, not hidden. */
export function visibleSections(profile) {
  const enabled = new Set(profile.sections || []);
  const rank = (id) => {
    const at = R_U2_ORDER.indexOf(id);
    return at === -1 ? R_U2_ORDER.length : at;
  };
  return SECTIONS.filter((s) => (!s.setting || enabled.has(s.setting)) && (!s.when || s.when(profile))).sort(
    (a, b) => rank(a.id) - rank(b.id),
  );
}
