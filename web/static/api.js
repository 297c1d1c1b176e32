// The page's one door to the HTTP API: every request carries the bearer
// token when there is one, and a 401 asks for a token (the sign-in dialog)
// and retries once with it.

const KEY = "lakegate.token";

export const token = {
  get: () => sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || "",
  // set keeps the token for this tab, or on this device when remember.
  set(value, remember) {
    token.clear();
    (remember ? localStorage : sessionStorage).setItem(KEY, value);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  },
};

// askToken is set by the page: it shows the sign-in dialog with a reason and
// resolves when the user has entered a token (or rejects when dismissed).
let askToken = null;
export function onUnauthorized(fn) { askToken = fn; }

// APIError is a {"ok":false,"error":{...}} answer (or a network failure).
export class APIError extends Error {
  constructor(status, code, message, queryID) {
    super(message);
    this.status = status;
    this.code = code;
    this.queryID = queryID || "";
  }
}

// request sends one API call; opts: method, json (a body to encode),
// query (an object of query parameters), signal, accept.
// It returns the Response of a successful call and throws APIError else.
export async function request(path, opts = {}) {
  let url = path;
  if (opts.query) {
    const q = new URLSearchParams(opts.query).toString();
    if (q) url += (url.includes("?") ? "&" : "?") + q;
  }
  for (;;) {
    const headers = {Accept: opts.accept || "application/json"};
    if (opts.json !== undefined) headers["Content-Type"] = "application/json";
    const t = token.get();
    if (t) headers.Authorization = "Bearer " + t;
    const res = await fetch(url, {
      method: opts.method || (opts.json !== undefined ? "POST" : "GET"),
      headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
      signal: opts.signal,
      // The token travels in the header; "omit" also keeps the browser
      // from answering the server's Basic challenge with its own login box.
      credentials: "omit",
    });
    if (res.ok) return res;
    const err = await errorOf(res);
    // Ask until a token works or the user cancels the dialog (askToken
    // then rejects, and the call fails with that).
    if (res.status === 401 && askToken) {
      await askToken(t ? "That token was not accepted: " + err.message : "This gateway needs a token.");
      continue;
    }
    throw err;
  }
}

// json sends a call and decodes its JSON answer.
export async function json(path, opts) {
  const res = await request(path, opts);
  return res.json();
}

async function errorOf(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && body.error) return new APIError(res.status, body.error.code, body.error.message, body.query_id);
  } catch (_) { /* not the JSON error shape: fall through */ }
  return new APIError(res.status, "http_" + res.status, text.trim() || res.statusText || "request failed");
}
