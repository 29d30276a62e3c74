// Notifications (R-N1, R-N3): which messages reach the client, per channel and category.
// Each switch saves at once; messages the law requires are always sent and have no switch.
import { flash, h, toggle } from "../dom.js";
import { errorText } from "../i18n.js";

export const CHANNELS = ["email", "sms"];
export const CATEGORIES = ["transactional", "marketing"];
const PATH = "/me/notification-preferences";

/** The API's matrix `{email: {transactional, marketing}, sms: {…}}`, without its other fields. */
function matrixOf(answer) {
  return Object.fromEntries(CHANNELS.map((channel) => [channel, { ...answer[channel] }]));
}

export async function render(container, ctx) {
  const { t } = ctx;
  let matrix = matrixOf(await ctx.api.get(PATH));
  const status = h("div", { class: "status-line" });
  const always = h("p", { class: "hint", id: "always-sent" }, t("notifications.always_sent"));
  const groups = CHANNELS.map((channel) =>
    h(
      "fieldset",
      { class: "card switches" },
      h("legend", {}, t(`notifications.channel_${channel}`)),
      CATEGORIES.map((category) =>
        h(
          "div",
          { class: "switch-row" },
          toggle({
            name: `${channel}.${category}`,
            label: t(`notifications.category_${category}`),
            checked: matrix[channel][category],
            describedBy: `${channel}-${category}-hint`,
            async onchange(event) {
              const input = event.currentTarget;
              const wanted = input.checked;
              const next = structuredClone(matrix);
              next[channel][category] = wanted;
              input.disabled = true;
              try {
                matrix = matrixOf(await ctx.api.put(PATH, next));
                input.checked = matrix[channel][category];
                flash(status, t("notifications.saved"));
              } catch (error) {
                input.checked = !wanted;
                flash(status, errorText(error.code, error.message), "error");
              } finally {
                input.disabled = false;
                input.focus();
              }
            },
          }),
          h("p", { class: "hint", id: `${channel}-${category}-hint` }, t(`notifications.category_${category}_hint`)),
        ),
      ),
    ),
  );
  container.append(h("p", { class: "lead" }, t("notifications.lead")), ...groups, always, status);
}
