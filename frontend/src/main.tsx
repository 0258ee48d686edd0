import { render } from "preact";
import { App } from "./app";
import { startOutbox } from "./offline/client";
import { registerServiceWorker } from "./pwa";
import { loadSession } from "./session";
import { navigate } from "./router";
import { PUBLIC_PATHS } from "./session";
import { applyTheme } from "./theme";
import "./styles.css";

applyTheme();
render(<App />, document.getElementById("app")!);
registerServiceWorker();

loadSession().then((pending) => {
  if (pending === "verify_email" && !PUBLIC_PATHS.includes(location.pathname)) navigate("/verify-email", { replace: true });
  if (pending === "mfa_authenticate") navigate("/2fa", { replace: true });
  void startOutbox();
});
