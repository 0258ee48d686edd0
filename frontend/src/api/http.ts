// One fetch wrapper for the whole app: same-origin session cookie, Django's CSRF header,
// JSON in and out, and every failure turned into an ApiError the screens can show.

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: number, // 0: the network did not answer
    readonly code: string,
    message: string,
    readonly fields: FieldErrors = {},
    readonly body: unknown = null,
  ) {
    super(message);
  }

  get offline(): boolean {
    return this.status === 0;
  }
}

export function csrfToken(): string {
  if (typeof document === "undefined") return "";
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// The service worker has no document.cookie: the page hands it the token (see offline/outbox).
let tokenOverride: (() => Promise<string>) | null = null;
export function setCsrfSource(source: () => Promise<string>): void {
  tokenOverride = source;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export async function request<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE.has(method)) headers["X-CSRFToken"] = tokenOverride ? await tokenOverride() : csrfToken();
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "offline", "No connection. It is kept on this phone and sent later.");
  }
  if (response.status === 204) return undefined as T;
  let data: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw toApiError(response.status, data);
  return data as T;
}

/** The API's envelope {"error": {...}} and allauth's {status, errors: [...]} in one shape. */
export function toApiError(status: number, data: unknown): ApiError {
  const d = (data ?? {}) as Record<string, any>;
  if (d.error && typeof d.error === "object") {
    const e = d.error;
    return new ApiError(status, String(e.code ?? "error"), String(e.message ?? "Something went wrong."), e.fields ?? {}, d);
  }
  if (Array.isArray(d.errors)) {
    const fields: FieldErrors = {};
    for (const e of d.errors) {
      const key = e.param ?? "non_field_errors";
      (fields[key] ??= []).push(String(e.message));
    }
    const first = d.errors[0] ?? {};
    return new ApiError(status, String(first.code ?? "invalid"), String(first.message ?? "Please check the form."), fields, d);
  }
  const messages: Record<number, string> = {
    401: "Please log in again.",
    403: "You are not allowed to do that.",
    404: "Not found.",
    429: "Too many attempts. Wait a minute and try again.",
  };
  return new ApiError(status, `http_${status}`, messages[status] ?? `The server answered ${status}.`, {}, d);
}

export const get = <T>(url: string) => request<T>("GET", url);
export const post = <T>(url: string, body?: unknown) => request<T>("POST", url, body ?? {});
export const put = <T>(url: string, body: unknown) => request<T>("PUT", url, body);
export const patch = <T>(url: string, body: unknown) => request<T>("PATCH", url, body);
export const del = <T>(url: string) => request<T>("DELETE", url);

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export interface Page<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}
