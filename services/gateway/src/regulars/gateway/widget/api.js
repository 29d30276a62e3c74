// The public API, as the widget uses it. Nothing here is private to the widget:
// a business can build its own client on the same endpoints.

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Set and cleared with the HttpOnly session cookie, and readable: it tells whether a session may exist.
const CSRF_COOKIE = "regulars_csrf";

/** An error answer of the API: `{"error": {"code", "message", "fields": [{field, code, message}]}}`. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || (status === 0 ? "network_error" : "http_error");
    this.fields = Array.isArray(error.fields) ? error.fields : [];
  }
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

export class Api {
  constructor(slug, { locale = () => "en" } = {}) {
    this.base = `/api/v1/b/${encodeURIComponent(slug)}`;
    this.locale = locale;
  }

  /**
   * Calls `path` (relative to the business), returns the parsed JSON (null for 204), throws ApiError.
   * `headers`: more request headers (an Idempotency-Key, a manage token).
   */
  async request(method, path, body, { headers: extra = {} } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": this.locale(), ...extra };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // Double-submit CSRF protection for the cookie session (the cookie is readable on purpose).
    if (UNSAFE.has(method)) {
      const csrf = cookie(CSRF_COOKIE);
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    let response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, null);
    }
    const text = response.status === 204 ? "" : await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  get(path, options) {
    return this.request("GET", path, undefined, options);
  }
  post(path, body = {}, options) {
    return this.request("POST", path, body, options);
  }
  put(path, body, options) {
    return this.request("PUT", path, body, options);
  }
  patch(path, body, options) {
    return this.request("PATCH", path, body, options);
  }
  delete(path, body, options) {
    return this.request("DELETE", path, body, options);
  }

  /**
   * The calls about a guest's booking, authorised by the signed token of its email link (sent in a
   * header, never as a cookie; reads carry it in the query too). GET reads; only POST changes anything.
   */
  manage(token) {
    const options = { headers: { "X-Manage-Token": token } };
    return {
      get: (path) => this.get(`${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`, options),
      post: (path, body = {}) => this.post(path, body, options),
    };
  }

  /** The public profile of the business (name, locales, sections, time zone, …). */
  profile() {
    return this.get("");
  }

  /**
   * The signed-in account, or null when nobody is signed in here. Asked only when the browser holds
   * a session cookie: a guest's page would otherwise log a 401 on every visit.
   */
  async me() {
    if (!cookie(CSRF_COOKIE)) return null;
    try {
      return await this.get("/me");
    } catch (error) {
      if (error.status !== 401) throw error;
      // The session ended elsewhere (signed out everywhere, expired): forget its cookie, ask no more.
      document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
      return null;
    }
  }
}
