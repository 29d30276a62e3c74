// After sign-up: where the link went, and a way to have it sent again.
import { field, flash, form, h, page } from "../dom.js";
import { codeForm } from "./tokens.js";

const KEY = "regulars.pending_email";

export function rememberEmail(email) {
  try {
    sessionStorage.setItem(KEY, email);
  } catch {
    // Private mode: the client types it again if they want it resent.
  }
}

function pendingEmail() {
  try {
    return sessionStorage.getItem(KEY) || "";
  } catch {
    return "";
  }
}

/** Creates the account (R-I1) and comes here: `values` of a sign-up form, `extra` more of the body. */
export async function register(ctx, values, extra = {}) {
  const { email, password, first_name, last_name } = values;
  const body = { email, password, first_name, last_name, locale: ctx.locale(), ...extra };
  if (values.phone) body.phone = values.phone;
  await ctx.api.post("/auth/register", body);
  rememberEmail(email);
  await ctx.navigate("check-inbox");
}

/** Asks for the verification email again; `card` shows that it was sent. */
export function resendForm(ctx, card, email = "") {
  const { t } = ctx;
  return form({
    label: t("check_inbox.resend"),
    fields: [field({ name: "email", label: t("fields.email"), type: "email", autocomplete: "email", required: true, value: email })],
    submitLabel: t("check_inbox.resend"),
    submitClass: "button",
    async onsubmit(values) {
      await ctx.api.post("/auth/resend-verification", { email: values.email });
      rememberEmail(values.email);
      flash(card, t("check_inbox.resent"));
    },
  });
}

export async function render(container, ctx) {
  const { t } = ctx;
  const email = pendingEmail();
  const card = page(
    t("check_inbox.title"),
    h("p", { class: "lead" }, email ? t("check_inbox.sent_to", { email }) : t("check_inbox.sent")),
    h("p", {}, t("check_inbox.expires")),
  );
  const resend = resendForm(ctx, card, email);
  const texts = { title: t("check_inbox.code_title"), code: t("check_inbox.code"), submit: t("check_inbox.code_submit") };
  const byCode = codeForm(ctx, texts, "/auth/verify", t("verify.done"), email);
  card.append(h("h2", {}, t("check_inbox.code_title")), byCode, h("h2", {}, t("check_inbox.not_received")), resend);
  container.append(card);
}
