// django-allauth headless, "browser" client: session cookie + X-CSRFToken.
// Every auth call answers either 200 (authenticated) or 401 with the flows still pending
// (verify_email, mfa_authenticate, reauthenticate); we turn both into an AuthState.
import { ApiError, get, request } from "./http";

const BASE = "/_allauth/browser/v1";

export interface AuthState {
  authenticated: boolean;
  pending: string | null; // "verify_email" | "mfa_authenticate" | "reauthenticate" | ...
  flows: string[];
}

async function authCall(method: string, path: string, body?: unknown): Promise<AuthState> {
  try {
    const data = await request<any>(method, BASE + path, body);
    return { authenticated: Boolean(data?.meta?.is_authenticated ?? true), pending: null, flows: [] };
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 410)) {
      const body = e.body as any;
      const flows: any[] = body?.data?.flows ?? [];
      const pending = flows.find((f) => f.is_pending)?.id ?? null;
      return { authenticated: false, pending, flows: flows.map((f) => f.id) };
    }
    throw e;
  }
}

export const session = () => authCall("GET", "/auth/session");
export const login = (email: string, password: string) => authCall("POST", "/auth/login", { email, password });
export const signup = (data: { email: string; password: string; role: string; name: string; time_zone: string }) =>
  authCall("POST", "/auth/signup", data);
export const verifyEmail = (key: string) => authCall("POST", "/auth/email/verify", { key: key.trim() });
export const resendVerification = () => request("POST", BASE + "/auth/email/verify/resend", {});
export const mfaAuthenticate = (code: string) => authCall("POST", "/auth/2fa/authenticate", { code: code.trim() });
export const reauthenticate = (password: string) => authCall("POST", "/auth/reauthenticate", { password });
export const requestPasswordReset = (email: string) => authCall("POST", "/auth/password/request", { email });
export const resetPassword = (key: string, password: string) =>
  authCall("POST", "/auth/password/reset", { key: key.trim(), password });

export async function logout(): Promise<void> {
  try {
    await request("DELETE", BASE + "/auth/session");
  } catch (e) {
    // allauth answers 401 once the session is gone: that is the goal.
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
  }
}

export interface TotpSetup {
  active: boolean;
  secret?: string;
  totp_url?: string;
}

export async function totpStatus(): Promise<TotpSetup> {
  try {
    await get(BASE + "/account/authenticators/totp");
    return { active: true };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      const meta = (e.body as any)?.meta ?? {};
      return { active: false, secret: meta.secret, totp_url: meta.totp_url };
    }
    throw e;
  }
}

/** Activates TOTP. Answers "reauthenticate" when allauth wants the password again first. */
export async function totpActivate(code: string): Promise<"ok" | "reauthenticate"> {
  try {
    await request("POST", BASE + "/account/authenticators/totp", { code: code.trim() });
    return "ok";
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return "reauthenticate";
    throw e;
  }
}

/** The unused recovery codes, or "reauthenticate" when allauth wants the password again.
 * allauth makes them when the first authenticator is activated; when none exist (an older
 * setup), they are generated here. */
export async function recoveryCodes(): Promise<string[] | "reauthenticate"> {
  const path = BASE + "/account/authenticators/recovery-codes";
  try {
    try {
      const data = await get<any>(path);
      return data?.data?.unused_codes ?? [];
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
      const data = await request<any>("POST", path, {});
      return data?.data?.unused_codes ?? [];
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return "reauthenticate";
    throw e;
  }
}
