// Registers the service worker (src/sw.ts, built by vite-plugin-pwa's injectManifest).
import { Workbox } from "workbox-window";

export let workbox: Workbox | null = null;

export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator) || import.meta.env.DEV) return;
  workbox = new Workbox("/sw.js", { scope: "/" });
  // The new worker calls skipWaiting(): reload once so the page and the shell match.
  workbox.addEventListener("controlling", (event) => {
    if (event.isUpdate) location.reload();
  });
  void workbox.register();
}
