// One-time tokens and codes from email links (verify, sign-in link, confirm email, reset, unsubscribe).
import { field, form } from "../dom.js";
import { CODE } from "../limits.js";

const spending = new Map(); // page -> { token, promise }: the link being spent on that page

// Read once, then removed from the address bar and history, so they are not left in the browser's
// history or shared by accident. A page rendered again while its link is being spent gets that token.
export function takeToken(query, path) {
  const token = query.get("token") || "";
  if (token) history.replaceState(null, "", path);
  return token || spending.get(path)?.token || "";
}

/** Posts `{ token }` to `apiPath` once: the same link opened twice in a row (back/forward) must not
 * spend the token twice. A refused token may be tried again. */
export function spendToken(ctx, path, apiPath, token) {
  const known = spending.get(path);
  if (known && known.token === token) return known.promise;
  const promise = ctx.api.post(apiPath, { token });
  spending.set(path, { token, promise });
  promise.catch(() => spending.delete(path));
  return promise;
}

/** A session was opened: the client lands on the account page with `done` as its notice. */
export async function signedIn(ctx, answer, done) {
  ctx.setAccount(answer.account);
  ctx.notice = done;
  await ctx.navigate("account", { replace: true });
}

/** The email and the six-digit code from the same email, for a client who reads mail on another
 * device; `texts`: { title, code, submit } in the page's words. Posts them to `apiPath`, then signs in. */
export function codeForm(ctx, texts, apiPath, done, email = "") {
  const { t } = ctx;
  return form({
    label: texts.title,
    fields: [
      field({ name: "email", label: t("fields.email"), type: "email", autocomplete: "email", required: true, value: email }),
      field({ name: "code", label: texts.code, required: true, autocomplete: "one-time-code", attrs: { inputmode: "numeric", ...CODE } }),
    ],
    submitLabel: texts.submit,
    async onsubmit(values) {
      const code = values.code.replace(/\s+/g, ""); // typed as shown in the email ("123 456") or without the space
      await signedIn(ctx, await ctx.api.post(apiPath, { email: values.email, code }), done);
    },
  });
}
