// The shell: header with sync state, the routes, and the bottom navigation.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Kind } from "./screens/entry-payloads";
import { PLURAL } from "./api/diary";
import { match, navigate, useLocation } from "./router";
import { Login, ResetPassword, Signup, TwoFactor, VerifyEmail } from "./screens/auth";
import { EntryFormScreen } from "./screens/entry-forms";
import { History } from "./screens/history";
import { Home } from "./screens/home";
import { PUBLIC_PATHS } from "./session";
import { useStore } from "./store";

// Charts (uPlot) and the clinician screens load on demand; the service worker precaches
// them, so they open offline too.
const Charts = lazy(() => import("./screens/charts").then((m) => m.Charts));
const Care = lazy(() => import("./screens/care").then((m) => m.Care));
const Reminders = lazy(() => import("./screens/reminders").then((m) => m.Reminders));
const Settings = lazy(() => import("./screens/settings").then((m) => m.Settings));
const Dashboard = lazy(() => import("./screens/clinician").then((m) => m.Dashboard));
const PatientPage = lazy(() => import("./screens/clinician").then((m) => m.PatientPage));
const MfaSetup = lazy(() => import("./screens/clinician").then((m) => m.MfaSetup));

const KINDS = (Object.keys(PLURAL) as Kind[]).filter((k) => k !== ("skip" as string));

/** A screen whose code is fetched the first time it is shown. */
function lazy(load: () => Promise<ComponentType<any>>): ComponentType<any> {
  let loaded: ComponentType<any> | null = null;
  return function Lazy(props: any) {
    const [C, setC] = useState<ComponentType<any> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (!C)
        load()
          .then((c) => setC(() => (loaded = c)))
          .catch(() => setFailed(true));
    }, []);
    if (failed) return <main id="main"><p class="form-error" role="alert">This screen could not load. Check the connection and reload.</p></main>;
    return C ? <C {...props} /> : <main id="main"><p aria-busy="true">Loading…</p></main>;
  };
}

export function App() {
  const { ready, me } = useStore();
  const { path, params } = useLocation();

  const isPublic = PUBLIC_PATHS.includes(path);
  useEffect(() => {
    if (!ready) return;
    if (!me && !isPublic) navigate("/login", { replace: true });
    if (me && (path === "/login" || path === "/signup")) navigate(me.role === "clinician" ? "/clinician" : "/", { replace: true });
    if (me?.role === "clinician" && path === "/") navigate("/clinician", { replace: true });
  }, [ready, me?.id, path]);

  if (!ready) return <main id="main" class="splash"><p aria-busy="true">Loading…</p></main>;

  let screen;
  if (!me || isPublic) {
    if (path === "/signup") screen = <Signup />;
    else if (path === "/verify-email") screen = <VerifyEmail params={params} />;
    else if (path === "/reset-password") screen = <ResetPassword />;
    else if (path === "/2fa") screen = <TwoFactor />;
    else screen = <Login />;
    return <Frame nav={false}>{screen}</Frame>;
  }

  if (me.role === "clinician") {
    let m: Record<string, string> | null;
    if (!me.mfa_enabled) screen = <MfaSetup />;
    else if (path === "/settings") screen = <Settings />;
    else if ((m = match("/clinician/patients/:id", path))) screen = <PatientPage id={m.id} />;
    else screen = <Dashboard />;
    return <Frame nav="clinician">{screen}</Frame>;
  }

  let m: Record<string, string> | null;
  if (path === "/history") screen = <History />;
  else if (path === "/charts") screen = <Charts />;
  else if (path === "/care") screen = <Care />;
  else if (path === "/reminders") screen = <Reminders params={params} />;
  else if (path === "/settings") screen = <Settings />;
  else if ((m = match("/log/:kind", path)) && KINDS.includes(m.kind as Kind)) screen = <EntryFormScreen key={path} kind={m.kind as Kind} />;
  else if ((m = match("/edit/:kind/:id", path)) && KINDS.includes(m.kind as Kind)) screen = <EntryFormScreen key={path} kind={m.kind as Kind} id={m.id} />;
  else screen = <Home />;
  return <Frame nav="patient">{screen}</Frame>;
}

function Frame({ nav, children }: { nav: false | "patient" | "clinician"; children: any }) {
  const { path } = useLocation();
  const links: [string, string][] =
    nav === "patient"
      ? [["/", "Home"], ["/history", "History"], ["/charts", "Charts"], ["/care", "Care team"], ["/settings", "Settings"]]
      : nav === "clinician"
        ? [["/clinician", "Patients"], ["/settings", "Settings"]]
        : [];
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <Header />
      {children}
      {links.length > 0 && (
        <nav class="bottom" aria-label="Main">
          {links.map(([href, text]) => (
            <a href={href} aria-current={path === href || (href !== "/" && path.startsWith(href)) ? "page" : undefined}>
              {text}
            </a>
          ))}
        </nav>
      )}
      <Toast />
    </>
  );
}

function Header() {
  const { me, online, outbox } = useStore();
  const pending = outbox.filter((i) => i.status === "pending").length;
  const refused = outbox.length - pending;
  return (
    <header class="top">
      <a class="brand" href={me?.role === "clinician" ? "/clinician" : "/"}>Spasm diary</a>
      <div class="sync" role="status" aria-live="polite">
        {!online && <span class="badge offline">Offline</span>}
        {pending > 0 && <span class="badge pending" data-testid="pending-count">{pending} pending</span>}
        {refused > 0 && <a class="badge invalid" href="/history">{refused} to fix</a>}
      </div>
    </header>
  );
}

function Toast() {
  const { toast } = useStore();
  return (
    <div class="toast-region" role="status" aria-live="polite">
      {toast && <div class={`toast ${toast.kind}`}>{toast.text}</div>}
    </div>
  );
}
