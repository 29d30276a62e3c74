// The time step's calendar (R-A1): the month view, the times of the chosen day, and what moves the
// choice. A month opens on its first day with free times; a closed or full day that is picked (or
// named by the address) jumps to the next day that has some, saying so. One month is one call of
// `GET …/availability/month`, kept per staff member while the step is shown.
import { errorNotice, h, notice } from "../dom.js";
import { addMonths, dayStatus, monthView } from "./month.js";
import { bt, dayOf, timeOf } from "./text.js";

// How many months ahead a free day is looked for before saying there is none.
const LOOKAHEAD = 3;

const dayText = (day) => dayOf(`${day}T12:00:00Z`, "UTC");

/**
 * `boxes`: { calendarBox, said, slotsBox } to draw into; `staffId()`: the staff member chosen ("" for
 * anyone); `chosen(day)`: a day was chosen (or, with no free day in a month, the day shown);
 * `pick(slot)`: a time was picked. Returns { openOn(day, { say }) }.
 */
export function monthCalendar({ ctx, service, tz, today, boxes, staffId, chosen, pick }) {
  const { calendarBox, said, slotsBox } = boxes;
  const months = new Map();
  const earliest = today.slice(0, 7);
  let selected = null;
  let turn = 0; // only the newest choice draws: answers to quick clicks can arrive out of order
  let timesTurn = 0;

  function load(month) {
    const key = `${staffId()}|${month}`;
    if (!months.has(key)) {
      const params = new URLSearchParams({ service_id: service.id, month });
      if (staffId()) params.set("staff_id", staffId());
      const request = ctx.api.get(`/availability/month?${params}`);
      request.catch(() => months.delete(key));
      months.set(key, request);
    }
    return months.get(key);
  }

  function draw(answer, focus = null) {
    // A month button keeps the focus when the month it shows is drawn again.
    const active = document.activeElement;
    const kept = calendarBox.contains(active) && active.matches(".month-previous, .month-next") ? active.className : null;
    calendarBox.replaceChildren(
      monthView({
        answer, selected, today, earliest, focus,
        onpick: (day) => (day.status === "open" ? guarded(async () => choose(day.date, answer, { focus: true })) : openOn(day.date, { say: true, focus: true })),
        onmonth: (month, options = {}) => (options.focus ? showMonth(month, options.focus) : openMonth(month)),
      }),
    );
    if (kept) {
      const again = calendarBox.querySelector(`.${kept.split(" ").pop()}`);
      (again && !again.disabled ? again : calendarBox.querySelector(".month-next")).focus();
    }
  }

  async function guarded(work) {
    const mine = ++turn;
    try {
      await work(() => mine === turn);
    } catch (error) {
      if (mine === turn) said.replaceChildren(errorNotice(error));
    }
  }

  function choose(day, answer, { focus = false, message = null } = {}) {
    selected = day;
    chosen(day);
    draw(answer, focus ? day : null);
    said.replaceChildren(...(message ? [notice(message, "info")] : []));
    return showTimes(day);
  }

  /** Chooses `day` if it has free times, else the next day that has; with `say`, tells why it moved. */
  function openOn(day, { say = false, focus = false } = {}) {
    return guarded(async (current) => {
      const asked = (await load(day.slice(0, 7))).days.find((d) => d.date === day);
      let month = day.slice(0, 7);
      for (let looked = 0; looked < LOOKAHEAD; looked += 1) {
        const answer = await load(month);
        if (!current()) return;
        const open = answer.days.find((d) => d.date >= day && d.status === "open");
        if (open) {
          const moved = say && open.date !== day && asked && (asked.status === "closed" || asked.status === "full");
          const message = moved ? bt("calendar.jumped", { day: dayText(day), status: dayStatus(asked), next: dayText(open.date) }) : null;
          return choose(open.date, answer, { focus, message });
        }
        month = addMonths(month, 1);
      }
      nothingFree(await load(day.slice(0, 7)), day, bt("calendar.none_ahead"));
    });
  }

  /** Previous or next month: its first day with free times. */
  function openMonth(month) {
    return guarded(async (current) => {
      const answer = await load(month);
      if (!current()) return;
      const open = answer.days.find((d) => d.status === "open");
      if (open) return choose(open.date, answer);
      const first = answer.days.find((d) => d.status !== "past") || answer.days[0];
      nothingFree(answer, first.date, bt("calendar.none_in_month"));
    });
  }

  /** Another month for the keyboard's focus, keeping the chosen day. */
  function showMonth(month, focus) {
    return guarded(async (current) => {
      const answer = await load(month);
      if (current()) draw(answer, focus);
    });
  }

  function nothingFree(answer, day, message) {
    selected = null;
    chosen(day);
    draw(answer);
    said.replaceChildren(notice(message, "info"));
    timesTurn += 1;
    slotsBox.replaceChildren();
  }

  async function showTimes(day) {
    const mine = ++timesTurn;
    slotsBox.replaceChildren(h("p", { class: "loading" }, bt("loading")));
    const params = new URLSearchParams({ service_id: service.id, from: day, to: day });
    if (staffId()) params.set("staff_id", staffId());
    let answer;
    try {
      answer = await ctx.api.get(`/availability?${params}`);
    } catch (error) {
      if (mine === timesTurn) slotsBox.replaceChildren(errorNotice(error));
      return;
    }
    if (mine !== timesTurn) return;
    const slot = (free) =>
      h("li", {}, h("button", { type: "button", class: "slot", "data-start": free.start, onclick: () => pick(free) }, timeOf(free.start, tz)));
    slotsBox.replaceChildren(
      h("h3", {}, dayText(day)),
      answer.slots.length
        ? h("ul", { class: "slots", "aria-label": bt("free_times") }, answer.slots.map(slot))
        : h("p", {}, bt("calendar.day_taken")),
    );
  }

  return { openOn };
}
