// Landing page of the email-change link sent to the new address (R-I7).
import { errorNotice, h, notice, page } from "../dom.js";
import { spendToken, takeToken } from "./tokens.js";

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  const token = takeToken(query, "confirm-email");
  const card = page(t("confirm_email.title"), h("p", { role: "status" }, t("verify.working")));
  container.append(card);
  const status = card.querySelector("[role=status]");
  if (!token) {
    status.replaceWith(notice(t("verify.missing"), "error"));
    return;
  }
  try {
    await spendToken(ctx, "confirm-email", "/auth/confirm-email", token);
    if (ctx.account) ctx.setAccount(await ctx.api.me());
    status.replaceWith(
      notice(t("confirm_email.done")),
      h("p", {}, h("a", { href: ctx.account ? "account" : "sign-in", class: "button primary" }, ctx.account ? t("shell.my_account") : t("shell.sign_in"))),
    );
  } catch (error) {
    status.replaceWith(errorNotice(error));
  }
}
