// One booking as a card: what, when, where, its status and the actions allowed now; for each
// action not allowed, why (R-A2). Cancelling shows the policy first, then asks (R-A3, R-S3).
import { errorNotice, field, form, h, notice } from "../dom.js";
import { PRODUCT_QUANTITY } from "../limits.js";
import { bt, money, reasonText, whenOf } from "./text.js";

/**
 * `actions`: { call(action, body) -> booking, calendarHref, rescheduleHref, rebookHref, onchange(booking) }.
 * `showLocation`: label the business (a global client database spans locations).
 */
export function bookingCard(booking, { actions, showLocation }) {
  const business = booking.business;
  const tz = business.timezone;
  const card = h("article", { class: "booking-card", "data-booking-id": booking.id });
  const status = h("div", { class: "status-line", "aria-live": "polite" });

  function rules() {
    return booking.actions || {};
  }

  function act(action) {
    return async () => {
      status.replaceChildren();
      try {
        const updated = await actions.call(action, {});
        actions.onchange(updated, bt(`done.${action}`));
      } catch (error) {
        status.replaceChildren(errorNotice(error));
      }
    };
  }

  function cancelFlow() {
    const rule = rules().cancel;
    const reason = field({ name: "reason", label: bt("cancel.reason"), type: "textarea" });
    const box = h(
      "div",
      { class: "policy-box", role: "group", "aria-label": bt("cancel.title") },
      h("p", {}, bt("cancel.until", { until: whenOf(rule.until, tz) })),
      rule.fee_minor ? h("p", {}, bt("cancel.fee", { fee: money(rule.fee_minor, rule.currency) })) : h("p", {}, bt("cancel.no_fee")),
    );
    const el = form({
      label: bt("cancel.title"),
      fields: [reason],
      submitLabel: bt("cancel.confirm"),
      submitClass: "button danger",
      after: [h("button", { type: "button", class: "button", onclick: () => draw() }, bt("cancel.keep"))],
      async onsubmit(values) {
        const updated = await actions.call("cancel", values.reason ? { reason: values.reason } : {});
        actions.onchange(updated, bt("done.cancel"));
      },
    });
    card.replaceChildren(h("h3", {}, bt("cancel.title")), summary(), box, el, status);
    card.querySelector("textarea")?.focus();
  }

  async function reserveFlow() {
    let products;
    try {
      products = await actions.products();
    } catch (error) {
      status.replaceChildren(errorNotice(error));
      return;
    }
    if (!products.length) {
      status.replaceChildren(notice(bt("reserve.none"), "info"));
      return;
    }
    const el = form({
      label: bt("reserve.title"),
      fields: [
        field({
          name: "product_id",
          label: bt("reserve.product"),
          type: "select",
          required: true,
          options: products.map((p) => [p.id, `${p.name} · ${money(p.price_minor, p.currency)}`]),
          value: products[0].id,
        }),
        field({ name: "quantity", label: bt("reserve.quantity"), type: "number", value: "1", attrs: PRODUCT_QUANTITY }),
      ],
      submitLabel: bt("reserve.submit"),
      after: [h("button", { type: "button", class: "button", onclick: () => draw() }, bt("cancel.keep_as_is"))],
      async onsubmit(values) {
        const body = { product_id: values.product_id, quantity: Number(values.quantity || 1) };
        const updated = await actions.call("products", body);
        actions.onchange(updated, bt("done.reserve_product"));
      },
    });
    card.replaceChildren(h("h3", {}, bt("reserve.title")), summary(), el, status);
    card.querySelector("select")?.focus();
  }

  function summary() {
    return h(
      "div",
      {},
      h(
        "p",
        { class: "booking-meta" },
        whenOf(booking.starts_at, tz),
        " · ",
        bt("with_staff", { staff: booking.staff.name }),
        showLocation ? ` · ${bt("at_location", { location: business.name })}` : "",
      ),
    );
  }

  function draw() {
    const r = rules();
    const buttons = [];
    const notAllowed = [];
    const active = booking.status === "booked" || booking.status === "confirmed";
    const add = (action, node) => {
      const rule = r[action];
      if (!rule) return;
      if (rule.allowed) buttons.push(node);
      // Why an action is not offered, for bookings still ahead (R-A2).
      else if (active && rule.reason !== "booking_in_past") {
        notAllowed.push(h("li", {}, `${bt(`actions.${action}`)}: ${reasonText(rule, business)}`));
      }
    };
    add("confirm", h("button", { type: "button", class: "button", onclick: act("confirm") }, bt("actions.confirm")));
    add("reschedule", h("a", { class: "button", href: actions.rescheduleHref }, bt("actions.reschedule")));
    add("cancel", h("button", { type: "button", class: "button", onclick: cancelFlow }, bt("actions.cancel")));
    add("rebook", h("a", { class: "button", href: actions.rebookHref }, bt("actions.rebook")));
    if (actions.products) {
      add("reserve_product", h("button", { type: "button", class: "button", onclick: reserveFlow }, bt("actions.reserve_product")));
    }
    add(
      "add_to_calendar",
      h("a", { class: "button", href: actions.calendarHref, download: "booking.ics" }, bt("actions.add_to_calendar")),
    );
    card.replaceChildren(
      ...[
      h(
        "h3",
        {},
        booking.service.name,
        h("span", { class: `status-tag status-${booking.status}` }, bt(`status.${booking.status}`)),
      ),
      summary(),
      booking.products.length
        ? h("p", { class: "booking-meta" }, bt("products", { names: booking.products.map((p) => `${p.quantity} × ${p.name}`).join(", ") }))
        : null,
      h("div", { class: "booking-actions" }, buttons),
      notAllowed.length ? h("ul", { class: "booking-reasons" }, notAllowed) : null,
      status,
      ].filter(Boolean),
    );
  }

  draw();
  return card;
}
