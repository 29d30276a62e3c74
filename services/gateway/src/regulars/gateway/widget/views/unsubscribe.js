// Landing page of an unsubscribe link: opening it changes nothing (mail scanners follow links);
// it shows what will change, and only the button sends the POST.
import { errorNotice, h, notice, page } from "../dom.js";
import { takeToken } from "./tokens.js";

let kept = "";

function words(ctx, info) {
  const { t } = ctx;
  return {
    channel: t(`unsubscribe.channel_${info.channel}`),
    category: t(`unsubscribe.category_${info.category}`),
    business: info.business_name,
  };
}

export async function render(container, ctx, { query }) {
  const { t } = ctx;
  kept = takeToken(query, "unsubscribe") || kept;
  const card = page(t("unsubscribe.title"));
  container.append(card);
  if (!kept) {
    card.append(notice(t("verify.missing"), "error"));
    return;
  }
  let info;
  try {
    info = await ctx.api.get(`/unsubscribe?token=${encodeURIComponent(kept)}`);
  } catch (error) {
    card.append(errorNotice(error));
    return;
  }
  const manage = ctx.account ? h("p", {}, h("a", { href: "account/notifications" }, t("unsubscribe.manage"))) : null;
  if (!info.subscribed) {
    card.append(h("p", { class: "lead" }, t("unsubscribe.already", words(ctx, info))), manage);
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
          confirm.replaceWith(notice(t("unsubscribe.done")));
        } catch (error) {
          confirm.disabled = false;
          card.querySelector(".notice.error")?.remove();
          card.append(errorNotice(error));
        }
      },
    },
    t("unsubscribe.confirm"),
  );
  card.append(h("p", { class: "lead" }, t("unsubscribe.what", words(ctx, info))), confirm, manage);
}
