// Forgot password (R-I5): a reset link by email. The answer never says whether the address has an account.
import { field, form, h, notice, page } from "../dom.js";

export async function render(container, ctx) {
  const { t } = ctx;
  const card = page(t("forgot.title"), h("p", { class: "lead" }, t("forgot.lead")));
  card.append(
    form({
      label: t("forgot.title"),
      fields: [field({ name: "email", label: t("fields.email"), type: "email", autocomplete: "email", required: true })],
      submitLabel: t("forgot.submit"),
      async onsubmit(values, formEl) {
        await ctx.api.post("/auth/password/forgot", { email: values.email });
        formEl.replaceWith(notice(t("forgot.sent", { email: values.email })));
      },
    }),
    h("p", { class: "switch-flow" }, h("a", { href: "sign-in" }, t("forgot.back"))),
  );
  container.append(card);
}
