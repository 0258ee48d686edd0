// Who is logged in, kept in sync with allauth's session and cached for offline starts.
import * as auth from "./api/auth";
import { csrfToken, get } from "./api/http";
import { sendNow } from "./offline/client";
import { rememberCsrf, setOwner } from "./offline/outbox";
import { navigate } from "./router";
import { type Me, cacheMe, cachedMe, getState, setState } from "./store";

export const PUBLIC_PATHS = ["/login", "/signup", "/verify-email", "/reset-password", "/2fa"];

/** Asks the server who we are; offline, trusts the last answer. Answers the pending flow. */
export async function loadSession(): Promise<string | null> {
  try {
    const state = await auth.session();
    if (state.authenticated) {
      const me = await get<Me>("/api/v1/me");
      cacheMe(me);
      await setOwner(me.id);
      await rememberCsrf(csrfToken());
      setState({ me, ready: true });
      return null;
    }
    cacheMe(null);
    await setOwner(null);
    setState({ me: null, ready: true });
    return state.pending;
  } catch {
    // No network: keep working as the last known user (entries go to the outbox).
    const me = cachedMe();
    await setOwner(me?.id ?? null);
    setState({ me, ready: true });
    return null;
  }
}

/** After any auth step: go where the pending flow (or the role) says. */
export async function afterAuth(state: auth.AuthState): Promise<void> {
  if (state.pending === "verify_email") return navigate("/verify-email");
  if (state.pending === "mfa_authenticate") return navigate("/2fa");
  if (!state.authenticated) return navigate("/login");
  await loadSession();
  void sendNow(); // entries this person left on the phone while logged out
  const me = getState().me;
  navigate(me?.role === "clinician" ? "/clinician" : "/", { replace: true });
}

export async function logout(): Promise<void> {
  await auth.logout().catch(() => null);
  cacheMe(null);
  await setOwner(null);
  setState({ outbox: [] });
  if ("caches" in self) await caches.delete("api-reads").catch(() => null);
  setState({ me: null });
  navigate("/login", { replace: true });
}
