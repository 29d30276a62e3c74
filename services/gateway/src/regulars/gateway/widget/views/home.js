// The widget's start: a signed-in client lands on the account page; anyone else sees the business
// (logo, name, address and phone where known) and Book, with sign-in as the secondary action
// (also top right on desktop, in the menu on a phone: R-U1).
import { h } from "../dom.js";

export async function render(container, ctx) {
  const { t, profile } = ctx;
  if (ctx.account && profile.client_logins !== "off") {
    await ctx.navigate("account", { replace: true });
    return;
  }
  const logo = typeof profile.logo_url === "string" && /^https:\/\//.test(profile.logo_url)
    ? h("img", { class: "business-logo", src: profile.logo_url, alt: "" })
    : null;
  container.append(
    h(
      "section",
      { class: "card narrow business-start" },
      logo,
      h("h1", {}, profile.name),
      contact(profile, t),
      h("p", { class: "lead" }, t("home.lead")),
      h("a", { class: "button primary large", href: "book" }, t("home.book")),
      profile.client_logins === "off"
        ? h("p", { class: "meta" }, t("home.logins_off", { business: profile.name }))
        : h("p", { class: "secondary-action" }, t("home.have_account"), " ", h("a", { href: "sign-in" }, t("home.sign_in"))),
    ),
  );
}

/** The business's address and phone, when its profile has them. */
function contact(profile, t) {
  const rows = [];
  if (profile.address) rows.push(h("dt", {}, t("home.address")), h("dd", { class: "business-address" }, profile.address));
  if (profile.phone) {
    rows.push(h("dt", {}, t("home.phone")), h("dd", {}, h("a", { href: `tel:${profile.phone}` }, profile.phone)));
  }
  return rows.length ? h("dl", { class: "business-contact" }, rows) : null;
}
