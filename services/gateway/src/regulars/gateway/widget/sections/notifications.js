// Notifications (R-N1, R-N3): which messages reach the client, per channel and category.
// Each switch saves at once; messages the law requires are always sent and have no switch.
import { errorText, flash, h, toggle } from "../dom.js";

export const CHANNELS = ["email", "sms"];
export const CATEGORIES = ["transactional", "marketing"];
const PATH = "/me/notification-preferences";

/** The matrix as {channel: {category: bool}}, from the API's answer. */
export function matrixOf(answer) {
  const source = answer && answer.preferences !== undefined ? answer.preferences : answer;
  const matrix = {};
  for (const channel of CHANNELS) matrix[channel] = {};
  if (Array.isArray(source)) {
    for (const item of source) {
      if (matrix[item.channel]) matrix[item.channel][item.category] = Boolean(item.enabled);
    }
  } else if (source && typeof source === "object") {
    for (const channel of CHANNELS) {
      for (const category of CATEGORIES) matrix[channel][category] = Boolean(source[channel] && source[channel][category]);
    }
  }
  return matrix;
}

/** The body of the PUT, in the shape the API answered with. */
function bodyOf(matrix, answer) {
  const listShaped = Array.isArray(answer && answer.preferences !== undefined ? answer.preferences : answer);
  const preferences = listShaped
    ? CHANNELS.flatMap((channel) => CATEGORIES.map((category) => ({ channel, category, enabled: matrix[channel][category] })))
    : matrix;
  return answer && answer.preferences !== undefined ? { preferences } : preferences;
}

export async function render(container, ctx) {
  const { t } = ctx;
  let answer = await ctx.api.get(PATH);
  let matrix = matrixOf(answer);
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
                const saved = await ctx.api.put(PATH, bodyOf(next, answer));
                answer = saved || answer;
                matrix = saved ? matrixOf(saved) : next;
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
  container.append(h("p", { class: "lead" }, t("notifications.lead")), groups, always, status);
}
