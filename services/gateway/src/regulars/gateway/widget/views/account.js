// The account page (R-U2): a left sidebar of sections (a menu on phones), Account settings first.
import { errorNotice, h, notice } from "../dom.js";
import { DEFAULT_SECTION, visibleSections } from "../sections/index.js";

export async function render(container, ctx, { parts }) {
  const { t } = ctx;
  const sections = visibleSections(ctx.profile);
  const wanted = parts[0] || DEFAULT_SECTION;
  const current = sections.find((s) => s.id === wanted);
  if (!current) {
    await ctx.navigate("account", { replace: true });
    return;
  }
  const title = t(`sections.${current.id}`);
  const navId = "account-sections";
  let open = false;
  const toggle = h(
    "button",
    {
      type: "button",
      class: "sections-toggle",
      "aria-expanded": "false",
      "aria-controls": navId,
      onclick() {
        open = !open;
        toggle.setAttribute("aria-expanded", String(open));
        nav.classList.toggle("open", open);
      },
    },
    h("span", { class: "sections-toggle-label" }, t("account.sections")),
    h("span", { class: "sections-toggle-current" }, title),
  );
  const nav = h(
    "nav",
    { id: navId, class: "sidebar", "aria-label": t("account.sections") },
    h(
      "ul",
      {},
      sections.map((s) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `account/${s.id}`, class: "sidebar-link", "aria-current": s.id === current.id ? "page" : null },
            t(`sections.${s.id}`),
          ),
        ),
      ),
    ),
  );
  const body = h("div", { class: "section-body" });
  const heading = h("h1", { class: "section-title" }, title);
  const saved = ctx.notice ? notice(ctx.notice) : null;
  ctx.notice = null;
  container.append(h("div", { class: "account-layout" }, h("div", { class: "sidebar-wrap" }, toggle, nav), h("div", { class: "section" }, heading, saved, body)));
  const loading = h("p", { class: "loading", role: "status" }, t("shell.loading"));
  body.before(loading);
  body.setAttribute("aria-busy", "true");
  try {
    const module = await current.load();
    await module.render(body, ctx);
  } catch (error) {
    body.replaceChildren(errorNotice(error));
    if (error.status === 401) {
      ctx.setAccount(null);
      await ctx.navigate(`sign-in?next=${encodeURIComponent(`account/${current.id}`)}`, { replace: true });
    }
  } finally {
    loading.remove();
    body.removeAttribute("aria-busy");
  }
}
