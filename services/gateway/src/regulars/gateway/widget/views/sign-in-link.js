// Sign in without the password: a one-time link and code by email. The way in while an account is
// under attack (429 sign_in_by_email on the sign-in page); the answer never says whether the address
// has an account. Opened from the email, the link's token signs the client in.
import { field, form, h, notice, page } from "../dom.js";
import { errorText } from "../i18n.js";
import { codeForm, signedIn, spendToken, takeToken } from "./tokens.js";

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  const token = takeToken(query, "sign-in-link");
  const card = page(t("sign_in_link.title"));
  container.append(card);
  if (token) {
    card.append(h("p", { role: "status" }, t("sign_in_link.working")));
    try {
      const answer = await spendToken(ctx, "sign-in-link", "/auth/sign-in-link/redeem", token);
      await signedIn(ctx, answer, t("sign_in_link.done"));
      return;
    } catch (error) {
      card.querySelector("[role=status]").replaceWith(notice(errorText(error.code, error.message), "error"));
    }
  }
  const email = query.get("email") || "";
  const texts = { title: t("sign_in_link.code_title"), code: t("sign_in_link.code"), submit: t("sign_in_link.code_submit") };
  const byCode = codeForm(ctx, texts, "/auth/sign-in-link/redeem", t("sign_in_link.done"), email);
  const codeSection = h("section", { hidden: true }, h("h2", {}, t("sign_in_link.code_title")), byCode);
  const ask = form({
    label: t("sign_in_link.title"),
    fields: [field({ name: "email", label: t("fields.email"), type: "email", autocomplete: "email", required: true, value: email })],
    submitLabel: t("sign_in_link.submit"),
    async onsubmit(values, formEl) {
      await ctx.api.post("/auth/sign-in-link", { email: values.email });
      formEl.replaceWith(notice(t("sign_in_link.sent", { email: values.email })));
      byCode.querySelector("[name=email]").value = values.email;
      codeSection.hidden = false;
      byCode.querySelector("[name=code]").focus();
    },
  });
  card.append(
    h("p", { class: "lead" }, t("sign_in_link.lead")),
    ask,
    codeSection,
    h("p", { class: "switch-flow" }, h("a", { href: "sign-in" }, t("forgot.back"))),
  );
}
