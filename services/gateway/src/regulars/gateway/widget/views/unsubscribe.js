// Landing page of an unsubscribe link: opening it changes nothing (mail scanners follow links);
// it shows what will change, and only the button sends the POST.
import { errorText, h, page } from "../dom.js";
import { takeToken } from "./tokens.js";

let kept = "";

function describe(ctx, info) {
  const { t } = ctx;
  const channel = info.channel ? t(`notifications.channel_${info.channel}`) : "";
  const category = info.category ? t(`notifications.category_${info.category}`) : "";
  return t("unsubscribe.what", { channel, category, address: info.address || info.email || info.to || "" });
}

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  kept = takeToken(query, "unsubscribe") || kept;
  const card = page(t("unsubscribe.title"));
  container.append(card);
  if (!kept) {
    card.append(h("p", { class: "notice error", role: "alert" }, t("verify.missing")));
    return;
  }
  let info;
  try {
    info = await ctx.api.get(`/unsubscribe?token=${encodeURIComponent(kept)}`);
  } catch (error) {
    card.append(h("p", { class: "notice error", role: "alert" }, errorText(error.code, error.message)));
    return;
  }
  const confirm = h(
    "button",
    {
      type: "button",
      class: "button primary",
      async onclick() {
        confirm.disabled = true;
        try {
          await ctx.api.post("/unsubscribe", { token: kept });
          kept = "";
          confirm.replaceWith(h("p", { class: "notice success", role: "status" }, t("unsubscribe.done")));
        } catch (error) {
          confirm.disabled = false;
          card.append(h("p", { class: "notice error", role: "alert" }, errorText(error.code, error.message)));
        }
      },
    },
    t("unsubscribe.confirm"),
  );
  card.append(h("p", { class: "lead" }, describe(ctx, info || {})), confirm);
  if (ctx.account) card.append(h("p", {}, h("a", { href: "account/notifications" }, t("unsubscribe.manage"))));
}
