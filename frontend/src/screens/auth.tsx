// Sign up, log in, verify email (by code), reset password (by code), two-factor at login.
import { useState } from "preact/hooks";
import * as auth from "../api/auth";
import { afterAuth } from "../session";
import { deviceZone } from "../ui/time";
import { Chips, FormError, Input, fieldErrors, useAction } from "../ui/form";
import { toast } from "../store";

function AuthPage(props: { title: string; children: any; intro?: string }) {
  return (
    <main class="auth" id="main">
      <h1>{props.title}</h1>
      {props.intro && <p class="muted">{props.intro}</p>}
      {props.children}
    </main>
  );
}

export function Login() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction(async () => afterAuth(await auth.login(email, password)));
  return (
    <AuthPage title="Log in" intro="Your cramp and vitamin D diary.">
      <form onSubmit={(e) => (e.preventDefault(), action.run())}>
        <FormError error={action.error} />
        <Input name="email" label="Email" type="email" autocomplete="email" required value={email} onInput={setEmail} errors={fieldErrors(action.error)} />
        <Input name="password" label="Password" type="password" autocomplete="current-password" required value={password} onInput={setPassword} errors={fieldErrors(action.error)} />
        <button class="primary wide" disabled={action.busy}>Log in</button>
      </form>
      <p class="links">
        <a href="/signup">Create an account</a>
        <a href="/reset-password">Forgot your password?</a>
      </p>
    </AuthPage>
  );
}

export function Signup() {
  const [form, setForm] = useState({ name: "", email: "", password: "", role: "patient" });
  const set = (k: string) => (v: string) => setForm({ ...form, [k]: v });
  const action = useAction(async () => afterAuth(await auth.signup({ ...form, time_zone: deviceZone() })));
  const errors = fieldErrors(action.error);
  return (
    <AuthPage title="Create your account">
      <form onSubmit={(e) => (e.preventDefault(), action.run())}>
        <FormError error={action.error} />
        <Chips name="role" label="I am a" value={form.role} options={[["patient", "Patient"], ["clinician", "Clinician"]]} onChange={set("role")} errors={errors} />
        <Input name="name" label="Name" autocomplete="name" value={form.name} onInput={set("name")} errors={errors} />
        <Input name="email" label="Email" type="email" autocomplete="email" required value={form.email} onInput={set("email")} errors={errors} />
        <Input name="password" label="Password" type="password" autocomplete="new-password" required hint="At least 10 characters." value={form.password} onInput={set("password")} errors={errors} />
        <p class="hint">Time zone: {deviceZone()} (change it later in Settings).</p>
        <button class="primary wide" disabled={action.busy}>Create account</button>
      </form>
      <p class="links">
        <a href="/login">I already have an account</a>
      </p>
    </AuthPage>
  );
}

export function VerifyEmail({ params }: { params: URLSearchParams }) {
  const [code, setCode] = useState(params.get("key") ?? "");
  const action = useAction(async () => afterAuth(await auth.verifyEmail(code)));
  const resend = useAction(async () => {
    await auth.resendVerification();
    toast("A new code is on its way.");
  });
  return (
    <AuthPage title="Check your email" intro="We sent you a code. Type it here to confirm your email address.">
      <form onSubmit={(e) => (e.preventDefault(), action.run())}>
        <FormError error={action.error || resend.error} />
        <Input name="key" label="Verification code" autocomplete="one-time-code" required value={code} onInput={setCode} errors={fieldErrors(action.error)} />
        <button class="primary wide" disabled={action.busy}>Confirm</button>
      </form>
      <p class="links">
        <button type="button" class="link" onClick={() => resend.run()} disabled={resend.busy}>Send a new code</button>
        <a href="/login">Back to log in</a>
      </p>
    </AuthPage>
  );
}

export function ResetPassword() {
  const [step, setStep] = useState<"request" | "reset">("request");
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const request = useAction(async () => {
    await auth.requestPasswordReset(email);
    setStep("reset");
  });
  const reset = useAction(async () => {
    const state = await auth.resetPassword(code, password);
    toast(state.authenticated ? "Your password is changed." : "Your password is changed. Log in with the new one.");
    await afterAuth(state);
  });
  if (step === "request")
    return (
      <AuthPage title="Reset your password" intro="We will email you a code.">
        <form onSubmit={(e) => (e.preventDefault(), request.run())}>
          <FormError error={request.error} />
          <Input name="email" label="Email" type="email" autocomplete="email" required value={email} onInput={setEmail} errors={fieldErrors(request.error)} />
          <button class="primary wide" disabled={request.busy}>Send the code</button>
        </form>
        <p class="links"><a href="/login">Back to log in</a></p>
      </AuthPage>
    );
  return (
    <AuthPage title="Choose a new password" intro={`If ${email} has an account, a code is on its way.`}>
      <form onSubmit={(e) => (e.preventDefault(), reset.run())}>
        <FormError error={reset.error} />
        <Input name="key" label="Code from the email" autocomplete="one-time-code" required value={code} onInput={setCode} errors={fieldErrors(reset.error)} />
        <Input name="password" label="New password" type="password" autocomplete="new-password" required value={password} onInput={setPassword} errors={fieldErrors(reset.error)} />
        <button class="primary wide" disabled={reset.busy}>Change password</button>
      </form>
    </AuthPage>
  );
}

export function TwoFactor() {
  const [code, setCode] = useState("");
  const action = useAction(async () => afterAuth(await auth.mfaAuthenticate(code)));
  return (
    <AuthPage title="Two-factor code" intro="Open your authenticator app and type the 6-digit code (or a recovery code).">
      <form onSubmit={(e) => (e.preventDefault(), action.run())}>
        <FormError error={action.error} />
        <Input name="code" label="Code from your app, or a recovery code" autocomplete="one-time-code" required value={code} onInput={setCode} errors={fieldErrors(action.error)} hint="6 digits from the authenticator app, or one of your saved recovery codes." />
        <button class="primary wide" disabled={action.busy}>Continue</button>
      </form>
    </AuthPage>
  );
}
