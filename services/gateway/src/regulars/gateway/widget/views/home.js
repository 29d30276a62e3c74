// The widget's start: the account page for a signed-in client, sign-in otherwise.
import { h, page } from "../dom.js";

export async function render(container, ctx) {
  if (ctx.profile.client_logins === "off") {
    container.append(page(ctx.profile.name, h("p", {}, ctx.t("home.logins_off", { business: ctx.profile.name }))));
    return;
  }
  await ctx.navigate(ctx.account ? "account" : "sign-in", { replace: true });
}
