// A guest's booking, from the signed link of the confirmation email. Opening it changes
// nothing (mail scanners follow links); cancelling or moving needs a click that POSTs.
import { errorText, h } from "../dom.js";
import { bookingCard } from "./card.js";
import { manageRequest } from "./manage-api.js";
import { bt, localized, prepare } from "./text.js";

export async function render(container, ctx, { query }) {
  await prepare();
  const token = query.get("token") || "";
  const root = h("section", { class: "card" }, h("h1", {}, bt("manage.title")));
  container.append(root);
  let booking;
  try {
    booking = (await manageRequest(ctx.slug, "GET", "/manage", token)).booking;
  } catch (error) {
    localized(error);
    root.append(h("p", { class: "notice error", role: "alert" }, errorText(error.code, error.message)));
    return;
  }
  const slot = h("div");
  const status = h("div", { "aria-live": "polite" });
  root.append(status, slot);
  const draw = () => {
    const service = encodeURIComponent(booking.service.id);
    slot.replaceChildren(
      bookingCard(booking, {
        showLocation: false,
        actions: {
          call: async (action, body) => (await manageRequest(ctx.slug, "POST", `/manage/${action}`, token, body)).booking,
          onchange(updated, message) {
            booking = updated;
            status.replaceChildren(h("p", { class: "notice success", role: "status" }, message));
            draw();
          },
          calendarHref: `/api/v1/b/${encodeURIComponent(ctx.slug)}/manage/calendar.ics?token=${encodeURIComponent(token)}`,
          rescheduleHref: `book?manage=${encodeURIComponent(token)}&service=${service}`,
          rebookHref: `book?service=${service}&staff=${encodeURIComponent(booking.staff.id)}`,
        },
      }),
    );
  };
  draw();
}
