// Landing page of the email-change link sent to the new address (R-I7).
import { errorNotice, h, notice, page } from "../dom.js";
import { takeToken } from "./tokens.js";

let inFlight = null;

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  const token = takeToken(query, "confirm-email") || inFlight?.token || "";
  const card = page(t("confirm_email.title"), h("p", { role: "status" }, t("verify.working")));
  container.append(card);
  const status = card.querySelector("[role=status]");
  if (!token) {
    status.replaceWith(notice(t("verify.missing"), "error"));
    return;
  }
  try {
    if (!inFlight || inFlight.token !== token) {
      inFlight = { token, promise: ctx.api.post("/auth/confirm-email", { token }) };
    }
    await inFlight.promise;
    if (ctx.account) ctx.setAccount(await ctx.api.me());
    status.replaceWith(
      notice(t("confirm_email.done")),
      h("p", {}, h("a", { href: ctx.account ? "account" : "sign-in", class: "button primary" }, ctx.account ? t("shell.my_account") : t("shell.sign_in"))),
    );
  } catch (error) {
    inFlight = null;
    status.replaceWith(errorNotice(error));
  }
}
