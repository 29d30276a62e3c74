// Shown when the widget has no network: instead of the start page or the account page, and
// instead of the booking flow (which needs the network to find free times), the client's next
// booking as last seen online, with when that was.
import { h, notice } from "../dom.js";
import { recallNext } from "../next-booking.js";

/** `from`: the route the client asked for ("book": the booking flow; else the start or account page). */
export async function render(container, ctx, { from }) {
  const { t } = ctx;
  const booking = from === "book";
  const saved = recallNext(ctx.slug);
  const section = h(
    "section",
    { class: "card narrow offline-view" },
    h("h1", {}, t(booking ? "offline.book_title" : "offline.title")),
    booking ? notice(t("offline.book_lead"), "offline") : null,
  );
  container.append(section);
  if (!saved) {
    if (!booking) section.append(h("p", {}, t("offline.none")));
    return;
  }
  section.append(notice(t("offline.updated", { when: ctx.formatDateTime(saved.saved_at) }), "offline"), nextBooking(ctx, saved.booking));
}

function nextBooking(ctx, booking) {
  const { t } = ctx;
  const when = new Intl.DateTimeFormat(ctx.locale(), {
    dateStyle: "full",
    timeStyle: "short",
    timeZone: booking.timezone || undefined,
  }).format(new Date(booking.starts_at));
  return h(
    "article",
    { class: "next-booking", "aria-labelledby": "next-booking-title" },
    h("h2", { id: "next-booking-title" }, t("offline.next_booking")),
    h("p", { class: "next-booking-service" }, t("offline.service_with", { service: booking.service, staff: booking.staff })),
    h("p", { class: "next-booking-when" }, h("time", { datetime: booking.starts_at }, when)),
    h("p", { class: "next-booking-location" }, t("offline.location", { location: booking.location })),
  );
}
