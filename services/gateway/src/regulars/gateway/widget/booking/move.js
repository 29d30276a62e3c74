// The confirmation step of a reschedule (R-A3, R-S3): what the move changes — the time, the staff
// member, and whether the booking could still be cancelled (or changed) online and until when,
// from the business's policy — before anything moves. The answer is the server's
// `…/reschedule-preview`, which applies the policy with its own clock.
import { h } from "../dom.js";
import { bt, reasonText, whenOf } from "./text.js";

/** What the policy would allow for `action` once moved, in words. */
function afterMove(action, rule, business) {
  if (rule.allowed) return bt(`move.${action}_until`, { until: whenOf(rule.until, business.timezone) });
  if (rule.reason === "inside_policy_window") return bt(`move.${action}_over`, { until: whenOf(rule.until, business.timezone) });
  return `${bt(`actions.${action}`)}: ${reasonText(rule, business)}`;
}

/** `preview`: { before, after } bookings; `onconfirm()` moves it, `onback()` returns to the calendar. */
export function moveConfirmation(preview, { onconfirm, onback }) {
  const { before, after } = preview;
  const business = after.business;
  const row = (label, booking) =>
    [h("dt", {}, label), h("dd", {}, bt("move.with", { when: whenOf(booking.starts_at, business.timezone), staff: booking.staff.name }))];
  const lost = before.actions.cancel?.allowed && !after.actions.cancel?.allowed;
  return [
    h("h2", {}, bt("move.title")),
    h("p", { class: "lead" }, before.service.name),
    h("dl", { class: "move-summary" }, row(bt("move.now"), before), row(bt("move.new"), after)),
    after.staff.id !== before.staff.id ? h("p", {}, bt("move.other_staff", { staff: after.staff.name, previous: before.staff.name })) : null,
    h(
      "div",
      { class: `policy-box${lost ? " warning" : ""}`, role: "group", "aria-label": bt("move.policy") },
      h("p", {}, lost ? h("strong", {}, afterMove("cancel", after.actions.cancel, business)) : afterMove("cancel", after.actions.cancel, business)),
      h("p", {}, afterMove("reschedule", after.actions.reschedule, business)),
    ),
    h(
      "p",
      { class: "actions" },
      h("button", { type: "button", class: "button primary", onclick: onconfirm }, bt("move.confirm")),
      h("button", { type: "button", class: "button", onclick: onback }, bt("change_time")),
    ),
  ];
}
