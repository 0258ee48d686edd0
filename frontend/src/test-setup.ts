// What the outbox finds in a page or a service worker and Node lacks: IndexedDB (fake-indexeddb),
// `self` as an event target, and `navigator` (without Web Locks, so flushes run directly).
import "fake-indexeddb/auto";

const events = new EventTarget();
Object.assign(globalThis, {
  self: globalThis,
  addEventListener: events.addEventListener.bind(events),
  removeEventListener: events.removeEventListener.bind(events),
  dispatchEvent: events.dispatchEvent.bind(events),
});
if (!("navigator" in globalThis)) Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true });
