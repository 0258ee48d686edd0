// App-wide state: who is logged in, whether we are online, and the outbox. A small
// subscribe/notify store; screens read it through useStore().
import { useEffect, useState } from "preact/hooks";
import type { components } from "./api/schema.gen";
import type { OutboxItem } from "./offline/db";

export type Me = components["schemas"]["MeOutput"];

export interface State {
  ready: boolean;
  me: Me | null;
  online: boolean;
  outbox: OutboxItem[];
  toast: { text: string; kind: "ok" | "error" | "warn"; id: number } | null;
}

let state: State = { ready: false, me: null, online: navigator.onLine, outbox: [], toast: null };
const listeners = new Set<() => void>();

export const getState = () => state;

export function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
  listeners.forEach((l) => l());
}

export function useStore(): State {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return state;
}

let toastId = 0;
export function toast(text: string, kind: "ok" | "error" | "warn" = "ok"): void {
  const id = ++toastId;
  setState({ toast: { text, kind, id } });
  setTimeout(() => {
    if (state.toast?.id === id) setState({ toast: null });
  }, 5000);
}

const ME_KEY = "spasm-diary:me";
export function cacheMe(me: Me | null): void {
  if (me) localStorage.setItem(ME_KEY, JSON.stringify(me));
  else localStorage.removeItem(ME_KEY);
}
export function cachedMe(): Me | null {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) ?? "null");
  } catch {
    return null;
  }
}
