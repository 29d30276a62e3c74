// Create an account (R-I1); the address is verified by a link sent by email (R-I3).
import { field, form, h, newPasswordField, page } from "../dom.js";
import { register } from "./check-inbox.js";

export async function render(container, ctx) {
  const { t } = ctx;
  const el = form({
    label: t("sign_up.title"),
    fields: [
      h(
        "div",
        { class: "row" },
        field({ name: "first_name", label: t("fields.first_name"), autocomplete: "given-name", required: true }),
        field({ name: "last_name", label: t("fields.last_name"), autocomplete: "family-name", required: true }),
      ),
      field({ name: "email", label: t("fields.email"), type: "email", autocomplete: "email", required: true }),
      newPasswordField({ label: t("fields.password") }),
      field({ name: "phone", label: t("fields.phone_optional"), type: "tel", autocomplete: "tel", hint: t("fields.phone_hint") }),
      field({ name: "birthday", label: t("fields.birthday_optional"), type: "date", autocomplete: "bday" }),
      h(
        "div",
        { class: "field checkbox" },
        h("input", { type: "checkbox", id: "marketing-opt-in", name: "marketing_opt_in" }),
        h("label", { for: "marketing-opt-in" }, t("sign_up.marketing", { business: ctx.profile.name })),
      ),
    ],
    submitLabel: t("sign_up.submit"),
    async onsubmit(values) {
      const extra = { marketing_opt_in: values.marketing_opt_in };
      if (values.birthday) extra.birthday = values.birthday;
      await register(ctx, values, extra);
    },
  });
  container.append(
    page(
      t("sign_up.title"),
      h("p", { class: "lead" }, t("sign_up.lead", { business: ctx.profile.name })),
      // With a global client database the same account works at every location (R-T2).
      ctx.profile.account_scope === "organization"
        ? h("p", { class: "hint" }, t("sign_up.every_location", { organization: ctx.profile.organization }))
        : null,
      el,
      h("p", { class: "switch-flow" }, t("sign_up.have_account"), " ", h("a", { href: "sign-in" }, t("sign_up.sign_in"))),
    ),
  );
}
