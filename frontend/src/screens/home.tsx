// Home: the one big "Log a cramp now" (muscle and severity remembered: one tap when they
// are the same as last time, three at most), "No cramps today", and the other forms.
import { useState } from "preact/hooks";
import { MUSCLES, type MuscleGroup, describe, label } from "../api/diary";
import { save } from "../offline/client";
import { getState, toast, useStore } from "../store";
import { Chips } from "../ui/form";
import { todayIn } from "../ui/time";
import { lastChoices, rememberChoices, reportSave } from "./entry-forms";

const SEVERITIES = Array.from({ length: 11 }, (_, i) => [String(i), String(i)] as [string, string]);

export function Home() {
  const { outbox } = useStore();
  const [choice, setChoice] = useState(lastChoices);
  const [busy, setBusy] = useState(false);

  const logCramp = async () => {
    setBusy(true);
    try {
      rememberChoices(choice);
      const result = await save("episode", {
        occurred_at: new Date().toISOString(),
        muscle_group: choice.muscle_group,
        side: choice.side || "n/a",
        severity: Number(choice.severity),
      });
      if (result.state === "refused") toast(`Not saved: ${result.item.message}`, "error");
      else reportSave(result.state, `Cramp (${label(choice.muscle_group).toLowerCase()}, ${choice.severity}/10)`);
    } finally {
      setBusy(false);
    }
  };

  const noCramps = async () => {
    setBusy(true);
    try {
      const today = todayIn(getState().me?.time_zone);
      const result = await save("checkin", { local_date: today, no_cramps: true });
      if (result.state === "refused" && result.item.code === "checkin_exists" && result.item.server?.id) {
        // Today already has a check-in: mark that one instead of making a second.
        const again = await save("checkin", { no_cramps: true }, { id: result.item.id, op: "patch", target: String(result.item.server.id) });
        reportSave(again.state, "No cramps today");
      } else if (result.state === "refused") toast(`Not saved: ${result.item.message}`, "error");
      else reportSave(result.state, "No cramps today");
    } finally {
      setBusy(false);
    }
  };

  const waiting = outbox.slice(-10).reverse();

  return (
    <main id="main" class="home">
      <h1 class="visually-hidden">Home</h1>
      <section class="card quick" aria-labelledby="quick-title">
        <h2 id="quick-title">Cramp or spasm?</h2>
        <Chips name="muscle_group" label="Where" value={choice.muscle_group} options={MUSCLES} onChange={(v) => setChoice({ ...choice, muscle_group: v as MuscleGroup })} compact />
        <Chips name="severity" label="How bad (0-10)" value={choice.severity} options={SEVERITIES} onChange={(v) => setChoice({ ...choice, severity: v })} compact />
        <button class="primary big" onClick={logCramp} disabled={busy}>
          Log a cramp now
        </button>
        <a class="small-link" href="/log/episode">Add side, duration, sleep and trigger…</a>
      </section>
      <button class="secondary big" onClick={noCramps} disabled={busy}>
        No cramps today
      </button>
      {waiting.length > 0 && (
        <section aria-labelledby="pending-title" class="card">
          <h2 id="pending-title">Waiting to be sent</h2>
          <ul class="entries">
            {waiting.map((i) => (
              <li class={`entry ${i.status}`} data-id={i.id}>
                <span>{describe(i.kind, i.payload)}</span>{" "}
                {i.status === "pending" ? <span class="badge pending">Pending</span> : <a class="badge invalid" href={`/edit/${i.kind}/${i.id}`}>Needs fixing</a>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <nav class="tiles" aria-label="Log something else">
        <a href="/log/checkin">Daily check-in</a>
        <a href="/log/dose">Supplement dose</a>
        <a href="/log/sun">Sun exposure</a>
        <a href="/log/lab">Lab result</a>
        <a href="/log/regimen">Supplement regimen</a>
        <a href="/reminders">Reminders</a>
      </nav>
    </main>
  );
}
