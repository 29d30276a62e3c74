// Landing page of the verification link: verifies the address and signs the client in.
import { h, notice, page } from "../dom.js";
import { errorText } from "../i18n.js";
import { resendForm } from "./check-inbox.js";
import { takeToken } from "./tokens.js";

let inFlight = null;

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  const token = takeToken(query, "verify") || inFlight?.token || "";
  const card = page(t("verify.title"), h("p", { role: "status" }, t("verify.working")));
  container.append(card);
  if (!token) {
    showFailure(card, ctx, t("verify.missing"));
    return;
  }
  try {
    // The same link opened twice in a row (back/forward) must not spend the token twice.
    if (!inFlight || inFlight.token !== token) inFlight = { token, promise: ctx.api.post("/auth/verify", { token }) };
    const answer = await inFlight.promise;
    ctx.setAccount(answer.account);
    ctx.notice = t("verify.done");
    await ctx.navigate("account", { replace: true });
  } catch (error) {
    inFlight = null;
    showFailure(card, ctx, errorText(error.code, error.message));
  }
}

function showFailure(card, ctx, message) {
  const { t } = ctx;
  card.querySelector("[role=status]").remove();
  card.append(
    notice(message, "error"),
    h("h2", {}, t("check_inbox.not_received")),
    resendForm(ctx, card),
  );
}
