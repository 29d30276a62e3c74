// A guest's booking, from the signed link of the confirmation email. Opening it changes
// nothing (mail scanners follow links); cancelling or moving needs a click that POSTs.
import { errorNotice, h, notice } from "../dom.js";
import { bookingCard } from "./card.js";
import { bt, prepare } from "./text.js";

export async function render(container, ctx, { query }) {
  await prepare();
  const token = query.get("token") || "";
  const manage = ctx.api.manage(token);
  const root = h("section", { class: "card" }, h("h1", {}, bt("manage.title")));
  container.append(root);
  let booking;
  try {
    booking = (await manage.get("/manage")).booking;
  } catch (error) {
    root.append(errorNotice(error));
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
          call: async (action, body) => (await manage.post(`/manage/${action}`, body)).booking,
          onchange(updated, message) {
            booking = updated;
            status.replaceChildren(notice(message));
            draw();
          },
          calendarHref: `${ctx.api.base}/manage/calendar.ics?token=${encodeURIComponent(token)}`,
          rescheduleHref: `book?manage=${encodeURIComponent(token)}&service=${service}`,
          rebookHref: `book?service=${service}&staff=${encodeURIComponent(booking.staff.id)}`,
        },
      }),
    );
  };
  draw();
}
