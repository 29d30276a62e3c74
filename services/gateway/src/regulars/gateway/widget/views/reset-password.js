// Landing page of the password-reset link: choose a new password.
import { field, form, h, page } from "../dom.js";
import { takeToken } from "./tokens.js";

let kept = "";

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  kept = takeToken(query, "reset-password") || kept;
  const card = page(t("reset.title"));
  container.append(card);
  if (!kept) {
    card.append(
      h("p", { class: "notice error", role: "alert" }, t("reset.missing")),
      h("p", {}, h("a", { href: "forgot-password" }, t("reset.ask_again"))),
    );
    return;
  }
  card.append(
    form({
      label: t("reset.title"),
      fields: [
        field({
          name: "password",
          label: t("fields.new_password"),
          type: "password",
          autocomplete: "new-password",
          required: true,
          hint: t("fields.password_hint"),
          attrs: { minlength: 8, maxlength: 128 },
        }),
      ],
      submitLabel: t("reset.submit"),
      async onsubmit(values, formEl) {
        await ctx.api.post("/auth/password/reset", { token: kept, password: values.password });
        kept = "";
        ctx.setAccount(null);
        formEl.replaceWith(
          h("p", { class: "notice success", role: "status" }, t("reset.done")),
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
