// The booking flow (R-A1): a service first, then a calendar of free times, then the client's
// details (or sign in), then the confirmation, which offers guests an account pre-filled from
// the booking (R-I1). Each step has its own address, and what was typed is kept in the tab
// (progress.js), so Back, Forward, reload and a language change keep it. Also serves "rebook" (?service=&staff=) and "reschedule" (?reschedule=<id>,
// or ?manage=<token> for a guest's link), which go back through the same calendar (R-A3).
import { ApiError } from "../api.js";
import { errorNotice, field, form, h, newPasswordField, notice } from "../dom.js";
import { register } from "../views/check-inbox.js";
import { monthCalendar } from "./calendar.js";
import { moveConfirmation } from "./move.js";
import { keep, recall } from "./progress.js";
import { bt, isoDay, money, prepare, whenOf } from "./text.js";

const STEPS = ["service", "time", "details", "confirm", "done"];
// A booking being moved keeps its service and client: a time, then the confirmation of the change.
const SHOWN = { book: ["service", "time", "details", "done"], move: ["time", "confirm", "done"] };

function steps(current, moving) {
  return h(
    "ol",
    { class: "booking-steps", "aria-label": bt("steps.label") },
    SHOWN[moving ? "move" : "book"].map((step, index) =>
      h("li", { "aria-current": step === current ? "step" : null }, `${index + 1}. ${bt(`steps.${step}`)}`),
    ),
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Each step has its own address below `book/` carrying what was chosen so far (never personal
 * data): `book` (service), `book/time?service=&staff=&date=`, `book/details?…&start=`, `book/done`.
 * `reschedule=<id>` or `manage=<token>` travel along when a booking is being moved, whose steps are
 * `book/time`, `book/confirm?…&start=` (what the move changes) and `book/done`.
 */
export async function render(container, ctx, { parts, query }) {
  await prepare();
  const tz = ctx.profile.timezone;
  const today = isoDay(new Date(), tz);
  const step = STEPS.includes(parts[0]) ? parts[0] : "service";
  const state = {
    services: [],
    staff: [],
    service: null,
    staffId: query.get("staff") || "",
    day: DAY.test(query.get("date") || "") && query.get("date") >= today ? query.get("date") : null,
    start: query.get("start"),
    reschedule: query.get("reschedule"),
    manageToken: query.get("manage"),
  };
  const [services, staff] = await Promise.all([ctx.api.get("/services"), ctx.api.get("/staff")]);
  state.services = services.services;
  state.staff = staff.staff;
  state.service = state.services.find((s) => s.id === query.get("service")) || null;
  if (state.service && !state.service.staff_ids.includes(state.staffId)) state.staffId = "";
  const moving = Boolean(state.reschedule || state.manageToken || (step === "done" && recall(ctx.slug).done?.moved));

  /** The address of `target` with what has been chosen up to it. */
  function address(target) {
    const params = new URLSearchParams();
    if (state.reschedule) params.set("reschedule", state.reschedule);
    if (state.manageToken) params.set("manage", state.manageToken);
    if (target === "time" || target === "details" || target === "confirm") {
      params.set("service", state.service.id);
      if (state.staffId) params.set("staff", state.staffId);
      if (state.day) params.set("date", state.day);
    }
    if (target === "details" || target === "confirm") params.set("start", state.start);
    const path = target === "service" ? "book" : `book/${target}`;
    const search = params.toString();
    return search ? `${path}?${search}` : path;
  }
  const goTo = (target, options) => ctx.navigate(address(target), options);
  /** Records a choice made inside a step (a day, a staff member) in the address, without a new entry. */
  const note = () => history.replaceState(null, "", new URL(address(step), location.origin + ctx.base));

  const root = h("section", { class: "card booking-flow" });
  container.append(root);

  function show(current, ...children) {
    const title = moving ? bt("reschedule.title") : bt("title");
    root.replaceChildren(h("h1", {}, title), steps(current, moving), ...children.flat().filter(Boolean));
  }

  function chooseService() {
    show(
      "service",
      h("h2", {}, bt("choose_service")),
      state.services.length
        ? h(
            "ul",
            { class: "service-list" },
            state.services.map((service) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    type: "button",
                    class: "service-choice",
                    onclick: () => {
                      state.service = service;
                      state.staffId = "";
                      state.day = null;
                      return goTo("time");
                    },
                  },
                  h("span", { class: "service-name" }, service.name),
                  service.description ? h("span", {}, service.description) : null,
                  h(
                    "span",
                    { class: "service-meta" },
                    `${bt("minutes", { minutes: service.duration_minutes })} · ${money(service.price_minor, service.currency)}`,
                  ),
                ),
              ),
            ),
          )
        : h("p", {}, bt("no_services")),
    );
  }

  async function chooseTime() {
    const service = state.service;
    const performers = state.staff.filter((s) => service.staff_ids.includes(s.id));
    const calendarBox = h("div", { class: "calendar" }, h("p", { class: "loading" }, bt("loading")));
    const said = h("div", { class: "calendar-status" });
    const slotsBox = h("div", { "aria-live": "polite" });
    const staffSelect = field({
      name: "staff",
      label: bt("with"),
      type: "select",
      value: state.staffId,
      options: [["", bt("staff_any")], ...performers.map((s) => [s.id, s.name])],
    });
    const calendar = monthCalendar({
      ctx, service, tz, today,
      boxes: { calendarBox, said, slotsBox },
      staffId: () => state.staffId,
      chosen: (day) => {
        state.day = day;
        note();
      },
      pick: (slot) => {
        state.start = slot.start;
        return goTo(moving ? "confirm" : "details");
      },
    });
    staffSelect.querySelector("select").addEventListener("change", (event) => {
      state.staffId = event.target.value;
      note();
      calendar.openOn(state.day || today, { say: true });
    });
    show(
      "time",
      h("h2", {}, bt("choose_time_for", { service: service.name })),
      performers.length > 1 ? h("div", { class: "time-controls" }, staffSelect) : null,
      h("div", { class: "time-step" }, calendarBox, h("div", {}, said, slotsBox)),
      moving ? null : h("p", {}, h("button", { type: "button", class: "as-link", onclick: () => goTo("service") }, bt("change_service"))),
    );
    // An address with a day (a reload, Back) opens on it, or says why not; otherwise the first free day.
    await calendar.openOn(state.day || today, { say: Boolean(state.day) });
  }

  /** R-A3, R-S3: what the move changes, from the server's preview, before anything moves. */
  async function confirmMove() {
    const params = new URLSearchParams({ start: state.start });
    if (state.staffId) params.set("staff_id", state.staffId);
    const back = () => goTo("time");
    let preview;
    try {
      preview = state.manageToken
        ? await ctx.api.manage(state.manageToken).get(`/manage/reschedule-preview?${params}`)
        : await ctx.api.get(`/me/bookings/${encodeURIComponent(state.reschedule)}/reschedule-preview?${params}`);
    } catch (error) {
      show("confirm", errorNotice(error), h("p", {}, h("button", { type: "button", class: "button", onclick: back }, bt("change_time"))));
      return;
    }
    show("confirm", moveConfirmation(preview, { onconfirm: moveBooking, onback: back }));
  }

  async function moveBooking() {
    const body = { start: state.start };
    if (state.staffId) body.staff_id = state.staffId;
    let booking;
    try {
      if (state.manageToken) {
        booking = (await ctx.api.manage(state.manageToken).post("/manage/reschedule", body)).booking;
      } else {
        booking = (await ctx.api.post(`/me/bookings/${state.reschedule}/reschedule`, body)).booking;
      }
    } catch (error) {
      root.append(errorNotice(error));
      return;
    }
    keep(ctx.slug, { done: { moved: booking, manageToken: state.manageToken } });
    // The done step replaces the confirmation: Back goes to the calendar, never moves the booking again.
    await ctx.navigate("book/done", { replace: true });
  }

  async function details() {
    const service = state.service;
    const account = ctx.account;
    const loginsRequired = ctx.profile.client_logins === "required";
    const here = encodeURIComponent(address("details"));
    const summary = h(
      "p",
      { class: "lead" },
      bt("summary", { service: service.name, when: whenOf(state.start, tz) }),
    );
    if (!account && loginsRequired) {
      show(
        "details",
        summary,
        h("p", {}, bt("account_required", { business: ctx.profile.name })),
        h(
          "p",
          { class: "actions" },
          h("a", { class: "button primary", href: `sign-in?next=${here}` }, bt("sign_in")),
          h("a", { class: "button", href: "sign-up" }, bt("create_account")),
        ),
      );
      return;
    }
    let prefill = { intake_answers: {}, phone: null };
    if (account) {
      try {
        prefill = await ctx.api.get("/me/booking-prefill");
      } catch {
        // Nothing to pre-fill.
      }
    }
    const questions = service.intake_questions.map((q) =>
      field({
        name: `intake.${q.id}`,
        label: q.label,
        required: q.required,
        type: q.kind === "text" ? "text" : "select",
        value: prefill.intake_answers[q.id] || "",
        options:
          q.kind === "yes_no"
            ? [["", "—"], ["yes", bt("yes")], ["no", bt("no")]]
            : [["", "—"], ...q.choices.map((c) => [c, c])],
      }),
    );
    const pet = ctx.profile.vertical === "pet"
      ? [
          field({ name: "pet_name", label: bt("pet_name"), required: true }),
          field({ name: "pet_breed", label: bt("pet_breed") }),
        ]
      : [];
    const el = form({
      label: bt("your_details"),
      fields: [
        h(
          "div",
          { class: "row" },
          field({ name: "first_name", label: ctx.t("fields.first_name"), autocomplete: "given-name", required: true, value: account?.first_name || "" }),
          field({ name: "last_name", label: ctx.t("fields.last_name"), autocomplete: "family-name", value: account?.last_name || "" }),
        ),
        field({ name: "email", label: ctx.t("fields.email"), type: "email", autocomplete: "email", required: true, value: account?.email || "" }),
        field({ name: "phone", label: bt("phone"), type: "tel", autocomplete: "tel", required: true, value: account?.phone || prefill.phone || "" }),
        pet,
        questions,
        field({ name: "notes", label: bt("notes"), type: "textarea" }),
      ],
      submitLabel: bt("book"),
      async onsubmit(values) {
        const body = {
          service_id: service.id,
          start: state.start,
          client: { first_name: values.first_name, last_name: values.last_name, email: values.email, phone: values.phone },
          notes: values.notes,
          locale: ctx.locale(),
          intake_answers: Object.fromEntries(
            Object.entries(values)
              .filter(([key, value]) => key.startsWith("intake.") && value)
              .map(([key, value]) => [key.slice("intake.".length), value]),
          ),
        };
        if (state.staffId) body.staff_id = state.staffId;
        if (values.pet_name) body.pet = { name: values.pet_name, breed: values.pet_breed || "" };
        // The Idempotency-Key makes a retried click, a reload or a flaky network book once.
        const kept = recall(ctx.slug).idempotency;
        const idempotencyKey = kept && kept.start === state.start ? kept.key : crypto.randomUUID();
        keep(ctx.slug, { idempotency: { start: state.start, key: idempotencyKey } });
        let created;
        try {
          created = await ctx.api.post("/bookings", body, { headers: { "Idempotency-Key": idempotencyKey } });
        } catch (error) {
          if (error instanceof ApiError && error.code === "slot_unavailable") keep(ctx.slug, { idempotency: undefined });
          throw error;
        }
        // Booked: what was typed goes; the done step replaces this one, so Back cannot book twice.
        keep(ctx.slug, { details: undefined, idempotency: undefined, done: { created } });
        await ctx.navigate("book/done", { replace: true });
      },
    });
    restoreTyped(el, ctx.slug);
    show(
      "details",
      summary,
      account
        ? h("p", {}, bt("booking_as", { name: `${account.first_name} ${account.last_name}`.trim() }))
        : h(
            "p",
            { class: "switch-flow" },
            bt("have_account"),
            " ",
            h("a", { href: `sign-in?next=${here}` }, bt("sign_in")),
          ),
      el,
      h("p", {}, h("button", { type: "button", class: "as-link", onclick: () => goTo("time") }, bt("change_time"))),
    );
  }

  function done() {
    const kept = recall(ctx.slug).done;
    if (kept.moved) {
      const token = kept.manageToken;
      show(
        "done",
        notice(bt("reschedule.done", { when: whenOf(kept.moved.starts_at, tz) })),
        h("p", {}, h("a", { href: token ? `manage?token=${encodeURIComponent(token)}` : "account/bookings" }, bt("see_booking"))),
      );
      return;
    }
    const { booking, manage_link: manageLink, account_offer: offer } = kept.created;
    const manageToken = manageLink ? new URL(manageLink).searchParams.get("token") : null;
    const calendarHref = manageToken
      ? `${ctx.api.base}/manage/calendar.ics?token=${encodeURIComponent(manageToken)}`
      : `${ctx.api.base}/me/bookings/${booking.id}/calendar.ics`;
    const children = [
      notice(bt("done_title")),
      h("p", { class: "lead" }, bt("done_lead", { service: booking.service.name, staff: booking.staff.name, when: whenOf(booking.starts_at, tz) })),
      h(
        "p",
        { class: "actions" },
        h("a", { class: "button", href: calendarHref, download: "booking.ics" }, bt("add_to_calendar")),
        ctx.account ? h("a", { class: "button", href: "account/bookings" }, bt("see_bookings")) : null,
        manageToken ? h("a", { class: "button", href: `manage?token=${encodeURIComponent(manageToken)}` }, bt("manage_link")) : null,
      ),
    ];
    if (offer && ctx.profile.client_logins !== "off") children.push(accountOffer(ctx, offer));
    show("done", ...children);
  }

  // An address that skips a choice (an old link, a hand-edited one) lands on the step that needs it.
  if (step === "done") return recall(ctx.slug).done ? done() : goTo("service", { replace: true });
  if (step === "service") return state.service ? goTo("time", { replace: true }) : chooseService();
  if (!state.service) return goTo("service", { replace: true });
  if (step === "time") return chooseTime();
  if (!state.start || Number.isNaN(Date.parse(state.start))) return goTo("time", { replace: true });
  if (moving) return step === "confirm" ? confirmMove() : goTo("confirm", { replace: true });
  return step === "confirm" ? goTo("details", { replace: true }) : details();
}

/** Puts back what the client typed in the details form, and keeps each change as they type. */
function restoreTyped(formEl, slug) {
  const typed = recall(slug).details || {};
  for (const control of formEl.elements) {
    if (control.name && typeof typed[control.name] === "string") control.value = typed[control.name];
  }
  formEl.addEventListener("input", () => {
    const now = {};
    for (const control of formEl.elements) {
      if (control.name && control.type !== "password" && control.type !== "submit") now[control.name] = control.value;
    }
    keep(slug, { details: now });
  });
}

/** R-I1: right after booking, an account pre-filled from the booking; only the password is new. */
function accountOffer(ctx, offer) {
  const el = form({
    label: bt("offer.title"),
    fields: [
      h(
        "div",
        { class: "row" },
        field({ name: "first_name", label: ctx.t("fields.first_name"), required: true, value: offer.first_name, autocomplete: "given-name" }),
        field({ name: "last_name", label: ctx.t("fields.last_name"), required: true, value: offer.last_name, autocomplete: "family-name" }),
      ),
      field({ name: "email", label: ctx.t("fields.email"), type: "email", required: true, value: offer.email, autocomplete: "email" }),
      field({ name: "phone", label: bt("phone"), type: "tel", value: offer.phone, autocomplete: "tel" }),
      newPasswordField({ label: ctx.t("fields.password") }),
    ],
    submitLabel: bt("offer.submit"),
    async onsubmit(values) {
      await register(ctx, values);
    },
  });
  return h("section", { class: "account-offer" }, h("h2", {}, bt("offer.title")), h("p", {}, bt("offer.lead")), el);
}

