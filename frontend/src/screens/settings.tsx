// Profile, units, theme, log out.
import { useState } from "preact/hooks";
import { unitLabel } from "../api/diary";
import { patch } from "../api/http";
import type { components } from "../api/schema.gen";
import { userDoseUnitEnumValues, vitaminDUnitEnumValues } from "../api/schema.gen";
import { logout } from "../session";
import { type Me, cacheMe, setState, toast, useStore } from "../store";
import { type Theme, applyTheme, getTheme } from "../theme";
import { Chips, FormError, Input, Select, fieldErrors, useAction } from "../ui/form";
import { ShowRecoveryCodes } from "../ui/recovery-codes";
import { deviceZone } from "../ui/time";
import { ReportForDoctor } from "./report";

function zones(current: string): string[] {
  const all: string[] = (Intl as any).supportedValuesOf?.("timeZone") ?? [];
  return all.includes(current) ? all : [current, ...all];
}

export function Settings() {
  const { me, outbox } = useStore();
  const [form, setForm] = useState(() => ({
    name: me?.name ?? "",
    time_zone: me?.time_zone ?? deviceZone(),
    date_of_birth: me?.date_of_birth ?? "",
    vitamin_d_unit: me?.vitamin_d_unit ?? "ng/mL",
    dose_unit: me?.dose_unit ?? "IU",
  }));
  const [theme, setTheme] = useState<Theme>(getTheme());
  const set = (k: string) => (v: string) => setForm({ ...form, [k]: v });
  const save = useAction(async () => {
    const body: components["schemas"]["PatchedMeInputRequest"] = { ...form, date_of_birth: form.date_of_birth || null };
    const updated = await patch<Me>("/api/v1/me", body);
    cacheMe(updated);
    setState({ me: updated });
    toast("Settings saved.");
  });
  const errors = fieldErrors(save.error);
  const leave = async () => {
    if (outbox.length && !confirm(`${outbox.length} entries have not reached the server yet. Log out anyway? They stay on this phone.`)) return;
    await logout();
  };
  return (
    <main id="main">
      <h1>Settings</h1>
      <p class="muted">{me?.email} · {me?.role}</p>
      <form class="card" onSubmit={(e) => (e.preventDefault(), save.run())}>
        <h2>Profile</h2>
        <FormError error={save.error} />
        <Input name="name" label="Name" autocomplete="name" value={form.name} onInput={set("name")} errors={errors} />
        <Select name="time_zone" label="Time zone" value={form.time_zone} options={zones(form.time_zone).map((z) => [z, z] as [string, string])} onChange={set("time_zone")} errors={errors} hint="Days and weeks in your diary follow this zone." />
        {me?.role === "patient" && <Input name="date_of_birth" label="Date of birth" type="date" value={form.date_of_birth} onInput={set("date_of_birth")} errors={errors} />}
        <Chips name="vitamin_d_unit" label="25(OH)D unit" value={form.vitamin_d_unit} options={vitaminDUnitEnumValues.map((u) => [u, u] as [string, string])} onChange={set("vitamin_d_unit")} errors={errors} />
        <Chips name="dose_unit" label="Vitamin D dose unit" value={form.dose_unit} options={userDoseUnitEnumValues.map((u) => [u, unitLabel(u)] as [string, string])} onChange={set("dose_unit")} errors={errors} />
        <button class="primary wide" disabled={save.busy}>Save</button>
      </form>
      <section class="card">
        <h2>Appearance</h2>
        <Chips name="theme" label="Theme" value={theme} options={[["system", "System"], ["light", "Light"], ["dark", "Dark"]]} onChange={(v) => (setTheme(v as Theme), applyTheme(v as Theme))} />
      </section>
      {me?.role === "patient" && <ReportForDoctor />}
      {me?.mfa_enabled && <ShowRecoveryCodes />}
      {me?.role === "patient" && (
        <nav class="tiles" aria-label="More">
          <a href="/reminders">Reminders</a>
          <a href="/care">Care team</a>
        </nav>
      )}
      <button class="secondary wide" onClick={leave}>Log out</button>
    </main>
  );
}
