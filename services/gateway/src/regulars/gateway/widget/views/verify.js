// Landing page of the verification link: verifies the address and signs the client in.
import { h, notice, page } from "../dom.js";
import { errorText } from "../i18n.js";
import { resendForm } from "./check-inbox.js";
import { signedIn, spendToken, takeToken } from "./tokens.js";

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  const token = takeToken(query, "verify");
  const card = page(t("verify.title"), h("p", { role: "status" }, t("verify.working")));
  container.append(card);
  if (!token) {
    showFailure(card, ctx, t("verify.missing"));
    return;
  }
  try {
    await signedIn(ctx, await spendToken(ctx, "verify", "/auth/verify", token), t("verify.done"));
  } catch (error) {
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
