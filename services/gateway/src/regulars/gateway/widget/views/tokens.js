// One-time tokens arrive in the query string of email links. Read once, then removed from
// the address bar and history, so they are not left in the browser's history or shared by accident.
export function takeToken(query, path) {
  const token = query.get("token") || "";
  if (token) history.replaceState(null, "", path);
  return token;
}
