// Landing page of the password-reset link: choose a new password.
import { form, h, newPasswordField, notice, page } from "../dom.js";
import { takeToken } from "./tokens.js";

let kept = "";

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  kept = takeToken(query, "reset-password") || kept;
  const card = page(t("reset.title"));
  container.append(card);
  if (!kept) {
    card.append(
      notice(t("reset.missing"), "error"),
      h("p", {}, h("a", { href: "forgot-password" }, t("reset.ask_again"))),
    );
    return;
  }
  card.append(
    form({
      label: t("reset.title"),
      fields: [
        newPasswordField({ label: t("fields.new_password") }),
      ],
      submitLabel: t("reset.submit"),
      async onsubmit(values, formEl) {
        await ctx.api.post("/auth/password/reset", { token: kept, password: values.password });
        kept = "";
        ctx.setAccount(null);
        formEl.replaceWith(
          notice(t("reset.done")),
          h("p", {}, h("a", { href: "sign-in", class: "button primary" }, t("shell.sign_in"))),
        );
      },
      onerror(formEl, error) {
        if (error && error.status === 400) {
          formEl.querySelector(".form-error").append(h("p", {}, h("a", { href: "forgot-password" }, t("reset.ask_again"))));
        }
      },
    }),
  );
}
