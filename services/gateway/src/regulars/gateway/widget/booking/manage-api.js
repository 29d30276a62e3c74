// Calls about a guest's booking, authorised by the signed token of its email link
// (sent in a header, never as a cookie). GET reads; only POST changes anything.
import { ApiError } from "../api.js";

export async function manageRequest(slug, method, path, token, body) {
  const headers = { Accept: "application/json", "X-Manage-Token": token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const url = new URL(`/api/v1/b/${encodeURIComponent(slug)}${path}`, location.origin);
  if (method === "GET") url.searchParams.set("token", token);
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
