// Two-factor recovery codes: the list shown once after setup, and "Show recovery codes" in
// settings (which may ask for the password again, as allauth wants a recent login).
import { useState } from "preact/hooks";
import * as auth from "../api/auth";
import { ApiError } from "../api/http";
import { FormError, Input, useAction } from "./form";

export function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <>
      <p id="recovery-codes-hint">
        Each code signs you in once if you lose your authenticator app. Keep them somewhere safe, such as a password manager or on paper.
      </p>
      <ul class="plain recovery-codes" aria-label="Recovery codes" aria-describedby="recovery-codes-hint" data-testid="recovery-codes">
        {codes.map((c) => (
          <li class="row code secret">{c}</li>
        ))}
      </ul>
      {codes.length === 0 && <p class="muted">No unused recovery codes are left.</p>}
    </>
  );
}

/** Settings: shows the codes on request, asking for the password when allauth wants it. */
export function ShowRecoveryCodes() {
  const [codes, setCodes] = useState<string[] | null>(null);
  const [needPassword, setNeedPassword] = useState(false);
  const [password, setPassword] = useState("");
  const show = useAction(async () => {
    if (needPassword) {
      const state = await auth.reauthenticate(password);
      if (!state.authenticated) throw new ApiError(400, "invalid", "That password is not right.");
      setNeedPassword(false);
      setPassword("");
    }
    const result = await auth.recoveryCodes();
    if (result === "reauthenticate") {
      setNeedPassword(true);
      throw new ApiError(401, "reauthenticate", "For your security, type your password again.");
    }
    setCodes(result);
  });
  return (
    <section class="card" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Recovery codes</h2>
      {codes ? (
        <>
          <RecoveryCodeList codes={codes} />
          <button class="secondary wide" onClick={() => setCodes(null)}>Hide recovery codes</button>
        </>
      ) : (
        <form onSubmit={(e) => (e.preventDefault(), show.run())}>
          <FormError error={show.error} />
          {needPassword && <Input name="password" label="Password" type="password" autocomplete="current-password" value={password} onInput={setPassword} />}
          <button class="secondary wide" disabled={show.busy}>Show recovery codes</button>
        </form>
      )}
    </section>
  );
}
