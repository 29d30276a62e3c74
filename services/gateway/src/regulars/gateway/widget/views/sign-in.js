// Sign in with email and password (R-I4); a wrong password or an empty field offers the
// forgot-password link (R-I5); an account under attack (429 sign_in_by_email) offers the emailed
// sign-in link, the way in that the per-account ceiling never blocks.
import { field, form, h, page } from "../dom.js";

function forgotLink(ctx) {
  return h("p", { class: "forgot-offer" }, h("a", { href: "forgot-password" }, ctx.t("sign_in.forgot")));
}

function emailLink(ctx, email) {
  const href = `sign-in-link?email=${encodeURIComponent(email || "")}`;
  return h("p", { class: "email-link-offer" }, h("a", { href, class: "button primary" }, ctx.t("sign_in.email_link")));
}

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  const next = query.get("next");
  const el = form({
    label: t("sign_in.title"),
    fields: [
      field({ name: "email", label: t("fields.email"), type: "email", autocomplete: "username", required: true }),
      field({ name: "password", label: t("fields.password"), type: "password", autocomplete: "current-password", required: true }),
    ],
    submitLabel: t("sign_in.submit"),
    after: [
      h("a", { href: "forgot-password", class: "secondary-link" }, t("sign_in.forgot")),
      h("a", { href: "sign-in-link", class: "secondary-link" }, t("sign_in.email_link")),
    ],
    async onsubmit(values) {
      const answer = await ctx.api.post("/auth/login", { email: values.email, password: values.password });
      ctx.setAccount(answer.account);
      // Only a path inside this widget: `next` comes from the address bar.
      const target = next && /^[a-z0-9-]+(\/[a-z0-9-_]+)*(\?[^#]*)?$/i.test(next) ? next : "account";
      await ctx.navigate(target);
    },
    onerror(formEl, error) {
      if (error && error.code === "sign_in_by_email") {
        formEl.querySelector(".form-error").append(emailLink(ctx, formEl.querySelector("[name=email]").value));
      }
      if (!error || error.code === "invalid_credentials" || error.status === 422) {
        formEl.querySelector(".form-error").append(forgotLink(ctx));
      }
      if (error && error.code === "email_not_verified") {
        formEl.querySelector(".form-error").append(h("p", {}, h("a", { href: "check-inbox" }, t("check_inbox.resend"))));
      }
    },
  });
  container.append(
    page(
      t("sign_in.title"),
      h("p", { class: "lead" }, t("sign_in.lead", { business: ctx.profile.name })),
      el,
      h("p", { class: "switch-flow" }, t("sign_in.no_account"), " ", h("a", { href: "sign-up" }, t("sign_in.create"))),
    ),
  );
}
