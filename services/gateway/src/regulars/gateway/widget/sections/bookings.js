// Bookings (R-A2): upcoming and past appointments with the actions that fit each, the policy
// shown before cancelling, add to calendar, and a calendar feed to subscribe to. With a
// global client database the list spans the organization's locations, each labelled.
import { bookingCard } from "../booking/card.js";
import { bt, prepare } from "../booking/text.js";
import { errorNotice, h, notice } from "../dom.js";
import { rememberNext } from "../next-booking.js";

export async function render(container, ctx) {
  await prepare();
  let when = "upcoming";
  const tabs = h("div", { class: "tabs", role: "tablist", "aria-label": bt("section.tabs") });
  const list = h("div", { id: "bookings-list", role: "tabpanel" });
  const status = h("div", { "aria-live": "polite" });
  const feed = h("section", { class: "card feed" });

  function drawTabs() {
    tabs.replaceChildren(
      ...["upcoming", "past"].map((name) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            class: "button",
            id: `tab-${name}`,
            "aria-selected": String(name === when),
            "aria-controls": "bookings-list",
            onclick: async () => {
              when = name;
              drawTabs();
              await load();
              document.getElementById(`tab-${name}`)?.focus();
            },
          },
          bt(`section.${name}`),
        ),
      ),
    );
    list.setAttribute("aria-labelledby", `tab-${when}`);
  }

  async function load() {
    const answer = await ctx.api.get(`/me/bookings?when=${when}`);
    const bookings = answer.bookings;
    // Kept on the device so the widget can show the next booking offline.
    if (when === "upcoming" && ctx.account) rememberNext(ctx.slug, ctx.account.account_id, bookings);
    const showLocation = bookings.some((b) => b.business.slug !== ctx.slug);
    list.replaceChildren(
      bookings.length
        ? h(
            "ul",
            { class: "booking-list" },
            bookings.map((booking) => h("li", {}, cardOf(booking, showLocation))),
          )
        : h("p", {}, bt(`section.none_${when}`)),
    );
  }

  function cardOf(booking, showLocation) {
    const slug = booking.business.slug;
    const service = encodeURIComponent(booking.service.id);
    const staff = encodeURIComponent(booking.staff.id);
    const here = slug === ctx.slug;
    const widget = here ? "" : `/w/${encodeURIComponent(slug)}/`;
    return bookingCard(booking, {
      showLocation,
      actions: {
        call: async (action, body) => (await ctx.api.post(`/me/bookings/${booking.id}/${action}`, body)).booking,
        // R-A5: products of the booking's own business.
        products: here ? async () => (await ctx.api.get("/products")).products : null,
        async onchange(_updated, message) {
          status.replaceChildren(notice(message));
          await load();
        },
        calendarHref: `${ctx.api.base}/me/bookings/${booking.id}/calendar.ics`,
        rescheduleHref: `${widget}book?reschedule=${booking.id}&service=${service}&staff=${staff}`,
        rebookHref: `${widget}book?service=${service}&staff=${staff}`,
      },
    });
  }

  function drawFeed(url) {
    const rotate = h(
      "button",
      {
        type: "button",
        class: "button",
        onclick: async () => {
          try {
            const answer = await ctx.api.post("/me/calendar-feed/rotate");
            drawFeed(answer);
            feed.append(notice(bt("feed.rotated")));
          } catch (error) {
            feed.append(errorNotice(error));
          }
        },
      },
      bt("feed.rotate"),
    );
    feed.replaceChildren(
      h("h2", {}, bt("feed.title")),
      h("p", {}, bt("feed.lead")),
      ...(url
        ? [
            h("p", { class: "feed-url" }, h("a", { href: url.url }, url.url)),
            h("p", { class: "actions" }, h("a", { class: "button primary", href: url.url }, bt("feed.subscribe")), rotate),
          ]
        : [
            h(
            "button",
            {
              type: "button",
              class: "button",
              onclick: async () => drawFeed(await ctx.api.get("/me/calendar-feed")),
            },
            bt("feed.show"),
          ),
          ]),
    );
  }

  container.append(
    h("p", { class: "actions" }, h("a", { class: "button primary", href: "book" }, bt("section.book"))),
    tabs,
    status,
    list,
    feed,
  );
  drawTabs();
  drawFeed(null);
  await load();
}
