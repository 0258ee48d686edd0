/// <reference lib="webworker" />
// The service worker: precached app shell (opens offline), network-first cache of API
// reads (the last data stays readable offline), Background Sync of the diary outbox, and
// push reminders with "Taken" / "Snooze" actions handled here without opening the app.
import { CacheableResponsePlugin } from "workbox-cacheable-response";
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";
import { request } from "./api/http";
import { parsePush } from "./api/reminders";
import { SYNC_TAG, flush, useStoredCsrf } from "./offline/outbox";

declare const self: ServiceWorkerGlobalScope;

const API_CACHE = "api-reads";

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
useStoredCsrf();

// Every in-app URL (/history, /verify-email?key=...) opens the precached shell.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    denylist: [/^\/api\//, /^\/_allauth\//, /^\/admin/, /^\/healthz/, /^\/static\//],
  }),
);

const SESSION_URL = "/_allauth/browser/v1/auth/session";
const ME_URL = "/api/v1/me";
// The id of the user whose reads are in API_CACHE, kept beside it (a worker's globals do not
// survive its restarts).
const OWNER_CACHE = "api-reads-owner";
const OWNER_KEY = "/__api-reads-owner__";

// Bumped whenever the cached reads are forgotten: a read that was already on its way then
// belongs to the session that ended, and is not stored when it lands.
let generation = 0;

async function forgetApiReads(): Promise<void> {
  generation += 1;
  await caches.delete(API_CACHE);
  await caches.delete(OWNER_CACHE);
}

type PluginState = { generation?: number };

/** The cache holds one person's reads. It is emptied when the session ends (any 401) and
 *  when /api/v1/me names somebody else than the reads were cached for. */
const oneOwner = {
  async requestWillFetch({ request, state }: { request: Request; state?: PluginState }): Promise<Request> {
    if (state) state.generation = generation;
    return request;
  },
  async fetchDidSucceed({ request, response, state }: { request: Request; response: Response; state?: PluginState }): Promise<Response> {
    if (response.status === 401) {
      await forgetApiReads();
    } else if (response.ok && new URL(request.url).pathname === ME_URL) {
      const id = String((await response.clone().json().catch(() => ({})))?.id ?? "");
      const owners = await caches.open(OWNER_CACHE);
      const previous = await (await owners.match(OWNER_KEY))?.text();
      if (previous !== id) {
        await forgetApiReads();
        await (await caches.open(OWNER_CACHE)).put(OWNER_KEY, new Response(id));
        if (state) state.generation = generation; // this answer is the new owner's
      }
    }
    return response;
  },
  async cacheWillUpdate({ response, state }: { response: Response; state?: PluginState }): Promise<Response | null> {
    return state && state.generation !== generation ? null : response;
  },
};

registerRoute(
  ({ url, request: req }) =>
    req.method === "GET" &&
    url.origin === self.location.origin &&
    // A clinician's reads of patients' diaries are never kept on the device.
    !url.pathname.startsWith("/api/v1/clinician/") &&
    (url.pathname.startsWith("/api/v1/") || url.pathname === SESSION_URL),
  new NetworkFirst({
    cacheName: API_CACHE,
    networkTimeoutSeconds: 6,
    plugins: [oneOwner, new CacheableResponsePlugin({ statuses: [200] })],
  }),
);

// Logging out, or in (perhaps as someone else), ends the session the cached reads belong to.
const endsTheSession = async ({ request: req }: { request: Request }): Promise<Response> => {
  await forgetApiReads();
  return fetch(req);
};
registerRoute(({ url }) => url.origin === self.location.origin && url.pathname === SESSION_URL, endsTheSession, "DELETE");
registerRoute(
  ({ url }) => url.origin === self.location.origin && /^\/_allauth\/browser\/v1\/auth\/(login|signup)$/.test(url.pathname),
  endsTheSession,
  "POST",
);

self.addEventListener("sync", (event: any) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(
    flush().then((outcome) => {
      // Throwing asks the browser to retry the sync later.
      if (outcome === "offline") throw new Error("still offline");
    }),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "flush") event.waitUntil(flush());
});

// --- push reminders ---------------------------------------------------------------------------
self.addEventListener("push", (event) => {
  let data: unknown = null;
  try {
    data = event.data?.json();
  } catch {
    data = { body: event.data?.text() };
  }
  const push = parsePush(data);
  event.waitUntil(
    self.registration.showNotification(push.title, {
      body: push.body,
      icon: "/icons/icon-192.png",
      badge: "/icons/maskable-192.png",
      tag: push.tag,
      data: push,
      requireInteraction: true,
      actions: push.actions,
    } as NotificationOptions),
  );
});

// What the notification says once its button did the thing.
const ACK: Record<string, [string, string]> = {
  taken: ["Dose logged", ""],
  snooze: ["Snoozed for 30 minutes", "We will remind you again."],
  no_cramps: ["Noted: no cramps yesterday", "That day counts in your diary."],
};

self.addEventListener("notificationclick", (event) => {
  const push = event.notification.data as ReturnType<typeof parsePush>;
  event.notification.close();
  const urls: Record<string, string | null | undefined> = {
    taken: push?.takenUrl,
    snooze: push?.snoozeUrl,
    no_cramps: push?.noCrampsUrl,
  };
  const actionUrl = urls[event.action] ?? null;
  if (!actionUrl) {
    event.waitUntil(openApp(push?.url ?? "/"));
    return;
  }
  event.waitUntil(
    request("POST", actionUrl, {}).then(
      () =>
        self.registration.showNotification(ACK[event.action]?.[0] ?? "Done", {
          body: event.action === "taken" ? push.body : (ACK[event.action]?.[1] ?? ""),
          icon: "/icons/icon-192.png",
          tag: "reminder-ack",
        }),
      // No connection: the app retries the same signed URL when it opens.
      () => openApp(`/reminders?action_url=${encodeURIComponent(actionUrl)}&action=${event.action}`),
    ),
  );
});

async function openApp(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if ("focus" in client) {
      await (client as WindowClient).navigate(url).catch(() => null);
      await (client as WindowClient).focus();
      return;
    }
  }
  await self.clients.openWindow(url);
}
