// The client widget: a shell (top bar, language, routing) around views loaded on demand.
// It talks only to the public API, so any business could build its own on it.

import { Api } from "./api.js";
import { brandProperties } from "./brand.js";
import { errorNotice, h } from "./dom.js";
import { forgetNext, recallNext } from "./next-booking.js";
import {
  LOCALES,
  formatDate,
  formatDateTime,
  languageName,
  locale,
  pickLocale,
  setLocale,
  setTimeZone,
  t,
} from "./i18n.js";

const slug = decodeURIComponent(location.pathname.split("/")[2] || "");
const base = `/w/${slug}/`;
const main = document.getElementById("main");
const topbar = document.getElementById("topbar");

// Path below the business → view module. Views export `render(main, ctx, params)`.
const ROUTES = {
  "": { load: () => import("./views/home.js") },
  "sign-in": { load: () => import("./views/sign-in.js"), guest: true },
  "sign-up": { load: () => import("./views/sign-up.js"), guest: true },
  "check-inbox": { load: () => import("./views/check-inbox.js") },
  verify: { load: () => import("./views/verify.js") },
  "sign-in-link": { load: () => import("./views/sign-in-link.js") },
  "forgot-password": { load: () => import("./views/forgot-password.js") },
  "reset-password": { load: () => import("./views/reset-password.js") },
  "confirm-email": { load: () => import("./views/confirm-email.js") },
  unsubscribe: { load: () => import("./views/unsubscribe.js") },
  account: { load: () => import("./views/account.js"), signedIn: true },
  book: { load: () => import("./booking/book.js") },
  manage: { load: () => import("./booking/manage.js") },
};
const OFFLINE = { load: () => import("./views/offline.js") };

const ctx = {
  slug,
  base,
  api: new Api(slug, { locale }),
  profile: null,
  account: null,
  /** True when the widget opened without a network: the start and account pages show the kept next booking. */
  offline: false,
  t,
  formatDate,
  formatDateTime,
  locale,
  /** Goes to a widget path (relative to the business, e.g. "account/notifications"). */
  navigate(path, { replace = false } = {}) {
    const url = new URL(path, location.origin + base);
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    return render({ focus: true });
  },
  /** Records who is signed in (null: nobody) and redraws the top bar. */
  setAccount(account) {
    // Signed out, deleted, or the session ended: the next booking kept for offline goes too.
    if (!account) forgetNext(slug);
    ctx.account = account;
    drawTopbar();
  },
  async signOut() {
    forgetNext(slug);
    try {
      await ctx.api.post("/auth/logout");
    } catch (error) {
      if (error.status !== 401) throw error;
    }
    ctx.setAccount(null);
    return ctx.navigate("sign-in");
  },
  rerender: () => render({ focus: false }),
};

function routeOf(pathname) {
  const rest = pathname.startsWith(base) ? pathname.slice(base.length) : "";
  const parts = rest.split("/").filter(Boolean);
  const name = parts[0] || "";
  return { name, route: ROUTES[name], parts: parts.slice(1) };
}

/** A business restyles the widget from its public profile (brand colour, logo), when it has them;
 * text on the colour stays readable (brand.js picks white or dark text by luminance). */
function applyBrand(profile) {
  const properties = brandProperties(profile.brand_color);
  if (properties) {
    for (const [name, value] of Object.entries(properties)) document.documentElement.style.setProperty(name, value);
    document.querySelector('meta[name="theme-color"]')?.setAttribute("content", properties["--brand"]);
  }
}

let menuOpen = false;

async function signOutFromMenu() {
  try {
    await ctx.signOut();
  } catch (error) {
    main.prepend(errorNotice(error));
  }
}

function drawTopbar() {
  document.querySelector(".skip-link").textContent = t("shell.skip");
  const profile = ctx.profile;
  const signedIn = Boolean(ctx.account);
  const { name } = routeOf(location.pathname);
  const logo =
    profile && typeof profile.logo_url === "string" && /^https:\/\//.test(profile.logo_url)
      ? h("img", { class: "logo", src: profile.logo_url, alt: "" })
      : null;
  const languageId = "language-select";
  const languages = h(
    "div",
    { class: "language" },
    h("label", { for: languageId }, t("shell.language")),
    h(
      "select",
      {
        id: languageId,
        onchange: async (event) => {
          // On a phone the select is in the menu: keep the menu open so focus stays on it.
          const keepOpen = menuOpen;
          await setLocale(event.target.value, { remember: true });
          await render({ focus: false });
          if (keepOpen) {
            menuOpen = true;
            drawTopbar();
          }
          document.getElementById(languageId)?.focus();
        },
      },
      LOCALES.map((code) => h("option", { value: code, selected: code === locale(), lang: code }, languageName(code))),
    ),
  );
  const accountLinks = !profile || profile.client_logins === "off"
    ? []
    : signedIn
      ? [
          h("a", { href: "account", class: "nav-link", "aria-current": name === "account" ? "page" : null }, t("shell.my_account")),
          h("button", { type: "button", class: "nav-link as-link", onclick: signOutFromMenu }, t("shell.sign_out")),
        ]
      : [
          h("a", { href: "sign-in", class: "nav-link", "aria-current": name === "sign-in" ? "page" : null }, t("shell.sign_in")),
          h("a", { href: "sign-up", class: "nav-link", "aria-current": name === "sign-up" ? "page" : null }, t("shell.sign_up")),
        ];
  const menuId = "topbar-menu";
  topbar.replaceChildren(
    h(
      "a",
      { class: "brand", href: "./" },
      logo,
      h("span", { class: "business-name" }, profile ? profile.name : "…"),
    ),
    h(
      "button",
      {
        type: "button",
        class: "menu-button",
        "aria-expanded": String(menuOpen),
        "aria-controls": menuId,
        onclick: (event) => {
          menuOpen = !menuOpen;
          event.currentTarget.setAttribute("aria-expanded", String(menuOpen));
          document.getElementById(menuId).classList.toggle("open", menuOpen);
        },
      },
      h("span", { class: "menu-icon", "aria-hidden": "true" }),
      t("shell.menu"),
    ),
    h("nav", { id: menuId, class: `topnav${menuOpen ? " open" : ""}`, "aria-label": t("shell.navigation") }, accountLinks, h("a", { href: "book", class: "nav-link", "aria-current": name === "book" ? "page" : null }, t("shell.book")), languages),
  );
}

let rendering = 0;

async function render({ focus } = { focus: false }) {
  const ticket = ++rendering;
  let { name, route, parts } = routeOf(location.pathname);
  menuOpen = false;
  drawTopbar();
  if (!ctx.profile) return;
  if (!route) {
    showNotFound();
    return;
  }
  // Offline, the start and account pages and the booking flow (which needs free times from the
  // network) show the next booking kept on this device instead.
  const from = name;
  if (isOffline(name)) {
    route = OFFLINE;
    name = "offline";
  }
  if (route.signedIn && !ctx.account) {
    const next = location.pathname.slice(base.length) + location.search;
    history.replaceState(null, "", new URL(`sign-in?next=${encodeURIComponent(next)}`, location.origin + base));
    return render({ focus });
  }
  if (route.guest && ctx.account) {
    history.replaceState(null, "", new URL("account", location.origin + base));
    return render({ focus });
  }
  const view = await route.load();
  if (ticket !== rendering) return;
  const container = h("div", { class: `view view-${name || "home"}` });
  main.replaceChildren(container);
  await view.render(container, ctx, { parts, query: new URLSearchParams(location.search), from });
  if (ticket !== rendering) return;
  const heading = container.querySelector("h1");
  document.title = `${heading ? heading.textContent : t("shell.my_account")} · ${ctx.profile.name}`;
  if (focus && heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function isOffline(name) {
  if (name === "book") return ctx.offline || navigator.onLine === false; // the network may go at any step
  return ctx.offline && !ctx.account && (name === "" || name === "account");
}

function showNotFound() {
  main.replaceChildren(
    h("div", { class: "view" }, h("h1", {}, t("shell.not_found_title")), h("p", {}, h("a", { href: "./" }, t("shell.go_home")))),
  );
  document.title = t("shell.not_found_title");
}

function showFatal(message) {
  main.replaceChildren(h("div", { class: "view" }, h("h1", {}, t("shell.unavailable_title")), h("p", {}, message)));
}

// Links inside the widget change the view without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download") || event.defaultPrevented) return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  // In-page links (the skip link): with <base href> they would resolve to the business's start page.
  const raw = link.getAttribute("href");
  if (raw.startsWith("#")) {
    event.preventDefault();
    document.getElementById(raw.slice(1))?.focus();
    return;
  }
  const url = new URL(link.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(base)) return;
  event.preventDefault();
  if (url.pathname === location.pathname && url.search === location.search) {
    menuOpen = false;
    drawTopbar();
    return;
  }
  history.pushState(null, "", url);
  render({ focus: true });
});
window.addEventListener("popstate", () => render({ focus: true }));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && menuOpen) {
    menuOpen = false;
    drawTopbar();
    topbar.querySelector(".menu-button")?.focus();
  }
});

async function start() {
  await setLocale(pickLocale(null));
  drawTopbar();
  try {
    ctx.profile = await ctx.api.profile();
  } catch (error) {
    if (error.status === 404) {
      topbar.replaceChildren();
      main.replaceChildren(h("div", { class: "view" }, h("h1", {}, t("shell.unknown_business"))));
      document.title = t("shell.unknown_business");
    } else {
      showFatal(t("errors.unexpected"));
    }
    return;
  }
  await setLocale(pickLocale(ctx.profile.default_locale));
  setTimeZone(ctx.profile.timezone);
  applyBrand(ctx.profile);
  // A guest's widget asks nothing private (no session cookie, no /me), so the browser tells.
  ctx.offline = navigator.onLine === false;
  if (ctx.profile.client_logins !== "off") {
    let answered = false;
    try {
      ctx.account = await ctx.api.me();
      answered = true;
    } catch (error) {
      ctx.account = null;
      ctx.offline ||= error.status === 0;
    }
    const kept = recallNext(slug);
    // Nobody (or somebody else) is signed in here: what was kept is not theirs to see.
    if (answered && kept && (!ctx.account || String(ctx.account.account_id) !== kept.account_id)) forgetNext(slug);
  }
  await render({ focus: false });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch(() => {});
  }
}

start();
