// Account settings (R-I7, R-I9, R-U2): profile, email, password, pets on pet businesses,
// signed-in devices, export and account deletion.
import { button, field, flash, form, h, loadInto, newPasswordField } from "../dom.js";
import { countryOptions } from "../countries.js";
import { errorText, languageName, LOCALES } from "../i18n.js";
import { renderPets } from "./pets.js";

function card(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), children);
}

export async function render(container, ctx) {
  // Fresh from the API: a session that ended meanwhile answers 401 and leads to sign-in.
  const account = await ctx.api.get("/me");
  ctx.setAccount(account);
  container.append(
    profileCard(ctx, account),
    emailCard(ctx, account),
    passwordCard(ctx),
  );
  if (ctx.profile.vertical === "pet") {
    const pets = card("pets-title", ctx.t("pets.title"));
    container.append(pets);
    await renderPets(pets, ctx);
  }
  const devices = card("devices-title", ctx.t("devices.title"));
  container.append(devices, exportCard(ctx), deleteCard(ctx));
  await renderDevices(devices, ctx);
}

const ADDRESS_PARTS = [
  ["line1", "address-line1"],
  ["line2", "address-line2"],
  ["city", "address-level2"],
  ["region", "address-level1"],
  ["postal_code", "postal-code"],
  ["country", "country"],
];

/** Only what changed is sent; a cleared optional field becomes null. */
function profileChanges(values, account) {
  const changes = {};
  for (const name of ["first_name", "last_name", "phone", "birthday", "locale"]) {
    const before = account[name] ?? "";
    const after = values[name] ?? "";
    if (after !== before) changes[name] = after === "" ? null : after;
  }
  const address = {};
  let any = false;
  let changed = false;
  for (const [part] of ADDRESS_PARTS) {
    const value = values[`address.${part}`] || "";
    address[part] = value;
    any ||= Boolean(value);
    changed ||= value !== ((account.address && account.address[part]) || "");
  }
  if (changed) changes.address = any ? address : null;
  return changes;
}

function profileCard(ctx, account) {
  const { t } = ctx;
  const el = card("profile-title", t("profile.title"));
  const address = account.address || {};
  el.append(
    form({
      label: t("profile.title"),
      fields: [
        h(
          "div",
          { class: "row" },
          field({ name: "first_name", label: t("fields.first_name"), autocomplete: "given-name", required: true, value: account.first_name }),
          field({ name: "last_name", label: t("fields.last_name"), autocomplete: "family-name", required: true, value: account.last_name }),
        ),
        h(
          "div",
          { class: "row" },
          field({ name: "phone", label: t("fields.phone"), type: "tel", autocomplete: "tel", value: account.phone, hint: t("fields.phone_hint") }),
          field({ name: "birthday", label: t("fields.birthday"), type: "date", autocomplete: "bday", value: account.birthday }),
        ),
        h(
          "fieldset",
          { class: "address" },
          h("legend", {}, t("fields.address")),
          ADDRESS_PARTS.map(([part, autocomplete]) =>
            part === "country"
              ? field({
                  name: "address.country",
                  label: t("fields.address_country"),
                  type: "select",
                  autocomplete,
                  value: address.country || "",
                  options: [["", "—"], ...countryOptions(ctx.locale())],
                })
              : field({ name: `address.${part}`, label: t(`fields.address_${part}`), autocomplete, value: address[part] }),
          ),
        ),
        field({
          name: "locale",
          label: t("fields.locale"),
          type: "select",
          hint: t("fields.locale_hint"),
          value: account.locale || ctx.locale(),
          options: LOCALES.map((code) => [code, languageName(code)]),
        }),
      ],
      submitLabel: t("profile.save"),
      async onsubmit(values) {
        const changes = profileChanges(values, ctx.account);
        if (Object.keys(changes).length) {
          const updated = await ctx.api.patch("/me", changes);
          ctx.setAccount(updated && updated.email ? updated : await ctx.api.me());
        }
        flash(el, t("profile.saved"));
      },
    }),
  );
  return el;
}

function emailCard(ctx, account) {
  const { t } = ctx;
  const el = card("email-title", t("email.title"));
  el.append(
    h("p", {}, t("email.current"), " ", h("strong", { class: "current-email" }, account.email)),
    form({
      label: t("email.title"),
      fields: [
        field({ name: "new_email", label: t("fields.new_email"), type: "email", autocomplete: "email", required: true }),
        field({ name: "password", label: t("fields.current_password"), type: "password", autocomplete: "current-password", required: true }),
      ],
      submitLabel: t("email.submit"),
      async onsubmit(values, formEl) {
        await ctx.api.post("/me/email", { new_email: values.new_email, password: values.password });
        formEl.reset();
        flash(el, t("email.sent", { email: values.new_email }));
      },
    }),
  );
  return el;
}

function passwordCard(ctx) {
  const { t } = ctx;
  const el = card("password-title", t("password.title"));
  el.append(
    form({
      label: t("password.title"),
      fields: [
        field({ name: "current_password", label: t("fields.current_password"), type: "password", autocomplete: "current-password", required: true }),
        newPasswordField({ name: "new_password", label: t("fields.new_password") }),
      ],
      submitLabel: t("password.submit"),
      async onsubmit(values, formEl) {
        await ctx.api.post("/me/password", { current_password: values.current_password, new_password: values.new_password });
        formEl.reset();
        flash(el, t("password.changed"));
        const devices = document.querySelector('[aria-labelledby="devices-title"]');
        if (devices) await renderDevices(devices, ctx);
      },
    }),
  );
  return el;
}

function deviceName(ctx, session) {
  const agent = String(session.user_agent || "");
  const browser = /Edg\//.test(agent) ? "Edge" : /Firefox\//.test(agent) ? "Firefox" : /Chrom(e|ium)\//.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : "";
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : /Windows/.test(agent) ? "Windows" : /Mac OS X/.test(agent) ? "macOS" : /Linux/.test(agent) ? "Linux" : "";
  return [browser, system].filter(Boolean).join(" · ") || ctx.t("devices.unknown");
}

async function renderDevices(el, ctx) {
  const { t } = ctx;
  const title = el.querySelector("h2");
  const answer = await loadInto(el, () => ctx.api.get("/me/sessions"));
  if (!answer) return;
  const { sessions } = answer;
  const rows = sessions.map((session) => {
    const current = Boolean(session.current);
    const name = deviceName(ctx, session);
    const action = button(current ? t("shell.sign_out") : t("devices.sign_out"), {
      class: "button small",
      "aria-label": current ? t("shell.sign_out") : t("devices.sign_out_named", { device: name }),
      async onclick() {
        if (current) {
          await ctx.signOut();
          return;
        }
        try {
          await ctx.api.delete(`/me/sessions/${encodeURIComponent(session.session_id)}`);
          await renderDevices(el, ctx);
          flash(el, t("devices.signed_out"));
        } catch (error) {
          flash(el, errorText(error.code, error.message), "error");
        }
      },
    });
    const used = session.last_seen_at || session.created_at;
    return h(
      "li",
      { class: "device" },
      h(
        "div",
        {},
        h("p", { class: "device-name" }, name, current ? h("span", { class: "tag" }, t("devices.this_device")) : null),
        h("p", { class: "meta" }, t("devices.last_used", { when: ctx.formatDateTime(used) })),
      ),
      action,
    );
  });
  el.replaceChildren(title, rows.length ? h("ul", { class: "devices" }, rows) : h("p", {}, t("devices.none")));
}

function exportCard(ctx) {
  const { t } = ctx;
  const el = card("export-title", t("export.title"), h("p", {}, t("export.lead")));
  el.append(
    button(t("export.submit"), {
      class: "button",
      async onclick(event) {
        const trigger = event.currentTarget;
        trigger.disabled = true;
        try {
          const data = await ctx.api.get("/me/export");
          const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
          const url = URL.createObjectURL(blob);
          const link = h("a", { href: url, download: `${ctx.slug}-my-data.json`, class: "download-link" }, t("export.ready"));
          flash(el, t("export.done"));
          el.querySelector(".download-link")?.remove();
          el.append(link);
          link.click();
        } catch (error) {
          flash(el, errorText(error.code, error.message), "error");
        } finally {
          trigger.disabled = false;
        }
      },
    }),
  );
  return el;
}

function deleteCard(ctx) {
  const { t } = ctx;
  const el = card("delete-title", t("delete.title"), h("p", {}, t("delete.lead", { business: ctx.profile.name })));
  el.classList.add("danger-zone");
  el.append(
    form({
      label: t("delete.title"),
      fields: [
        field({ name: "password", label: t("fields.current_password"), type: "password", autocomplete: "current-password", required: true }),
        h(
          "div",
          { class: "field checkbox" },
          h("input", { type: "checkbox", id: "delete-confirm", name: "confirm" }),
          h("label", { for: "delete-confirm" }, t("delete.confirm")),
        ),
      ],
      submitLabel: t("delete.submit"),
      submitClass: "button danger",
      async onsubmit(values) {
        if (!values.confirm) {
          flash(el, t("delete.confirm_needed"), "error");
          return;
        }
        await ctx.api.delete("/me", { password: values.password });
        ctx.setAccount(null);
        const view = el.closest(".view");
        view.replaceChildren(
          h("section", { class: "card narrow" }, h("h1", { tabindex: "-1" }, t("delete.done_title")), h("p", { role: "status" }, t("delete.done"))),
        );
        view.querySelector("h1").focus();
      },
    }),
  );
  return el;
}
