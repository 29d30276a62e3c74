// The month view of the booking flow's time step (R-A1): a grid of day buttons marking which days
// have free times, from `GET …/availability/month`. Keyboard: arrows move between days (a week with
// up and down), Home and End to the week's ends, Page Up and Page Down a month; Enter picks.
// One day of the grid is in the tab order (the chosen one), as in a date picker.
import { h } from "../dom.js";
import { locale } from "../i18n.js";
import { addDays, bt, dayOf } from "./text.js";

/** "2026-12" moved by `count` months. */
export function addMonths(month, count) {
  const [year, index] = month.split("-").map(Number);
  return new Date(Date.UTC(year, index - 1 + count, 1)).toISOString().slice(0, 7);
}

/** The locale's first day of the week: 1 = Monday … 7 = Sunday. */
function firstWeekday() {
  try {
    const tag = new Intl.Locale(locale());
    return (tag.getWeekInfo?.() || tag.weekInfo)?.firstDay || 1;
  } catch {
    return 1;
  }
}

const weekday = (day) => new Date(`${day}T12:00:00Z`).getUTCDay() || 7;

function monthTitle(month) {
  return new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${month}-15T12:00:00Z`),
  );
}

function header(first) {
  // 2024-01-01 was a Monday: 2024-01-0N is weekday N.
  const names = Array.from({ length: 7 }, (_, i) => `2024-01-0${((first - 1 + i) % 7) + 1}T12:00:00Z`);
  const short = new Intl.DateTimeFormat(locale(), { weekday: "short", timeZone: "UTC" });
  const long = new Intl.DateTimeFormat(locale(), { weekday: "long", timeZone: "UTC" });
  return h(
    "thead",
    {},
    h("tr", {}, names.map((iso) => h("th", { scope: "col", abbr: long.format(new Date(iso)) }, short.format(new Date(iso))))),
  );
}

/** What a day is, in words: "3 free times", "closed", … */
export function dayStatus(day) {
  if (day.status === "open") return day.free_times === 1 ? bt("calendar.one_free_time") : bt("calendar.free_times", { count: day.free_times });
  return bt(`calendar.${day.status}`);
}

/**
 * The month `answer` (an AvailabilityMonth) as a grid. `selected`: the chosen day, if in this month;
 * `focus`: a day to focus once drawn; `earliest`: the first month that may be shown;
 * `onpick(day)`: a day (not past) was picked; `onmonth(month, { focus })`: show another month.
 */
export function monthView({ answer, selected, today, earliest, focus, onpick, onmonth }) {
  const month = answer.month;
  const first = firstWeekday();
  const days = answer.days;
  const byDate = new Map(days.map((day) => [day.date, day]));
  const tabbable = [focus, selected].find((d) => byDate.has(d)) || (days.find((d) => d.status !== "past") || days[0]).date;
  const titleId = `month-${month}`;

  const cell = (day) =>
    h(
      "td",
      {},
      h(
        "button",
        {
          type: "button",
          class: `day day-${day.status}`,
          "data-day": day.date,
          tabindex: day.date === tabbable ? "0" : "-1",
          "aria-pressed": day.date === selected ? "true" : "false",
          "aria-current": day.date === today ? "date" : null,
          "aria-disabled": day.status === "past" ? "true" : null,
          "aria-label": `${dayOf(`${day.date}T12:00:00Z`, "UTC")}: ${dayStatus(day)}`,
          onclick: () => day.status !== "past" && onpick(day),
        },
        String(Number(day.date.slice(8))),
      ),
    );
  const rows = [];
  let row = Array.from({ length: (weekday(days[0].date) - first + 7) % 7 }, () => h("td", {}));
  for (const day of days) {
    row.push(cell(day));
    if (row.length === 7) {
      rows.push(h("tr", {}, row));
      row = [];
    }
  }
  if (row.length) rows.push(h("tr", {}, row, Array.from({ length: 7 - row.length }, () => h("td", {}))));

  const grid = h("table", { class: "month-grid", role: "grid", "aria-labelledby": titleId }, header(first), h("tbody", {}, rows));
  grid.addEventListener("keydown", (event) => {
    const from = event.target.dataset?.day;
    const to = from && target(from, event.key, first);
    if (!to) return;
    event.preventDefault();
    if (to.slice(0, 7) === month) {
      const button = grid.querySelector(`[data-day="${to}"]`);
      grid.querySelector('[tabindex="0"]')?.setAttribute("tabindex", "-1");
      button.setAttribute("tabindex", "0");
      button.focus();
    } else if (to.slice(0, 7) >= earliest) {
      onmonth(to.slice(0, 7), { focus: to });
    }
  });
  const previous = addMonths(month, -1);
  const view = h(
    "div",
    { class: "month-view" },
    h(
      "div",
      { class: "month-head" },
      h(
        "button",
        { type: "button", class: "button month-previous", disabled: previous < earliest, onclick: () => onmonth(previous) },
        h("span", { "aria-hidden": "true" }, "‹"),
        h("span", { class: "visually-hidden" }, bt("calendar.previous_month")),
      ),
      h("h3", { id: titleId, "aria-live": "polite" }, monthTitle(month)),
      h(
        "button",
        { type: "button", class: "button month-next", onclick: () => onmonth(addMonths(month, 1)) },
        h("span", { class: "visually-hidden" }, bt("calendar.next_month")),
        h("span", { "aria-hidden": "true" }, "›"),
      ),
    ),
    grid,
    h(
      "ul",
      { class: "month-legend", "aria-label": bt("calendar.legend") },
      ["open", "full", "closed"].map((status) => h("li", {}, h("span", { class: `swatch day-${status}`, "aria-hidden": "true" }), bt(`calendar.legend_${status}`))),
    ),
  );
  if (focus) queueMicrotask(() => grid.querySelector(`[data-day="${focus}"]`)?.focus());
  return view;
}

/** The day a key moves to from `day`, or null for a key that does not move. */
function target(day, key, first) {
  const column = (weekday(day) - first + 7) % 7;
  const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7, Home: -column, End: 6 - column };
  if (key in steps) return addDays(day, steps[key]);
  if (key === "PageUp" || key === "PageDown") {
    const month = addMonths(day.slice(0, 7), key === "PageUp" ? -1 : 1);
    const last = addDays(`${addMonths(month, 1)}-01`, -1);
    const same = `${month}-${day.slice(8)}`;
    return same > last ? last : same;
  }
  return null;
}
