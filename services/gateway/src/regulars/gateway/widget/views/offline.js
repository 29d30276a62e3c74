// Shown instead of the start page or the account page when the widget opened without a
// network: the client's next booking as last seen online, with when that was.
import { h, notice } from "../dom.js";
import { recallNext } from "../next-booking.js";

export async function render(container, ctx) {
  const { t } = ctx;
  const saved = recallNext(ctx.slug);
  const section = h("section", { class: "card narrow offline-view" }, h("h1", {}, t("offline.title")));
  if (!saved) {
    section.append(h("p", {}, t("offline.none")));
    container.append(section);
    return;
  }
  const booking = saved.booking;
  const when = new Intl.DateTimeFormat(ctx.locale(), {
    dateStyle: "full",
    timeStyle: "short",
    timeZone: booking.timezone || undefined,
  }).format(new Date(booking.starts_at));
  section.append(
    notice(t("offline.updated", { when: ctx.formatDateTime(saved.saved_at) }), "offline"),
    h(
      "article",
      { class: "next-booking", "aria-labelledby": "next-booking-title" },
      h("h2", { id: "next-booking-title" }, t("offline.next_booking")),
      h("p", { class: "next-booking-service" }, t("offline.service_with", { service: booking.service, staff: booking.staff })),
      h("p", { class: "next-booking-when" }, h("time", { datetime: booking.starts_at }, when)),
      h("p", { class: "next-booking-location" }, t("offline.location", { location: booking.location })),
    ),
  );
  container.append(section);
}
