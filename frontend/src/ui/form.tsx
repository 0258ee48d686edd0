// Form pieces with labels, hints and server errors wired to each control (aria-describedby),
// so screen readers and the server's field messages meet at one place.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError, type FieldErrors } from "../api/http";
import { label as prettify } from "../api/diary";

let uid = 0;
const nextId = (name: string) => `f-${name}-${++uid}`;

interface FieldProps {
  name: string;
  label: string;
  errors?: FieldErrors;
  hint?: string;
  children: (props: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ComponentChildren;
}

export function Field({ name, label, errors, hint, children }: FieldProps) {
  const [id] = useState(() => nextId(name));
  const messages = errors?.[name] ?? [];
  const described = [hint ? `${id}-hint` : "", messages.length ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div class={`field${messages.length ? " has-error" : ""}`}>
      <label for={id}>{label}</label>
      {children({ id, "aria-describedby": described || undefined, "aria-invalid": messages.length ? true : undefined })}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {messages.length > 0 && (
        <p class="error" id={`${id}-err`}>
          {messages.join(" ")}
        </p>
      )}
    </div>
  );
}

interface InputProps {
  name: string;
  label: string;
  value: string | number | null | undefined;
  onInput: (value: string) => void;
  type?: string;
  errors?: FieldErrors;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputMode?: string;
  min?: number | string;
  max?: number | string;
  step?: number | string;
}

export function Input(p: InputProps) {
  return (
    <Field name={p.name} label={p.label} errors={p.errors} hint={p.hint}>
      {(a) => (
        <input
          {...a}
          name={p.name}
          type={p.type ?? "text"}
          value={p.value ?? ""}
          required={p.required}
          autocomplete={p.autocomplete}
          inputMode={p.inputMode as any}
          min={p.min}
          max={p.max}
          step={p.step}
          onInput={(e) => p.onInput((e.target as HTMLInputElement).value)}
        />
      )}
    </Field>
  );
}

export function TextArea(p: Omit<InputProps, "type">) {
  return (
    <Field name={p.name} label={p.label} errors={p.errors} hint={p.hint}>
      {(a) => (
        <textarea
          {...a}
          name={p.name}
          rows={3}
          maxLength={2000}
          value={p.value ?? ""}
          onInput={(e) => p.onInput((e.target as HTMLTextAreaElement).value)}
        />
      )}
    </Field>
  );
}

interface SelectProps {
  name: string;
  label: string;
  value: string;
  options: readonly (string | [string, string])[];
  onChange: (value: string) => void;
  errors?: FieldErrors;
  hint?: string;
}

export function Select(p: SelectProps) {
  return (
    <Field name={p.name} label={p.label} errors={p.errors} hint={p.hint}>
      {(a) => (
        <select {...a} name={p.name} value={p.value} onChange={(e) => p.onChange((e.target as HTMLSelectElement).value)}>
          {p.options.map((o) => {
            const [value, text] = Array.isArray(o) ? o : [o, prettify(o)];
            return <option value={value}>{text}</option>;
          })}
        </select>
      )}
    </Field>
  );
}

interface ChipsProps {
  name: string;
  label: string;
  value: string | null;
  options: readonly (string | [string, string])[];
  onChange: (value: string) => void;
  errors?: FieldErrors;
  compact?: boolean;
}

/** A radio group drawn as big chips: one tap picks. */
export function Chips(p: ChipsProps) {
  const [id] = useState(() => nextId(p.name));
  const messages = p.errors?.[p.name] ?? [];
  return (
    <fieldset class={`chips${p.compact ? " compact" : ""}`} aria-describedby={messages.length ? `${id}-err` : undefined}>
      <legend>{p.label}</legend>
      <div class="chip-row">
        {p.options.map((o) => {
          const [value, text] = Array.isArray(o) ? o : [o, prettify(o)];
          return (
            <label class={`chip${p.value === value ? " selected" : ""}`}>
              <input
                type="radio"
                name={`${id}-${p.name}`}
                value={value}
                checked={p.value === value}
                onChange={() => p.onChange(value)}
              />
              <span>{text}</span>
            </label>
          );
        })}
      </div>
      {messages.length > 0 && (
        <p class="error" id={`${id}-err`}>
          {messages.join(" ")}
        </p>
      )}
    </fieldset>
  );
}

export function Check(p: { name: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" name={p.name} checked={p.checked} onChange={(e) => p.onChange((e.target as HTMLInputElement).checked)} />
      <span>{p.label}</span>
    </label>
  );
}

export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as ApiError;
  const fields = e instanceof ApiError ? e.fields : {};
  const general = [...(fields.non_field_errors ?? [])];
  const text = general.length ? general.join(" ") : e.message;
  return (
    <div class="form-error" role="alert">
      {text}
    </div>
  );
}

export function fieldErrors(error: unknown): FieldErrors {
  return error instanceof ApiError ? error.fields : {};
}

/** Runs an async action with busy and error state for a form. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await fn(...args);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** Wraps a loader so only the latest call's answer lands: a slow first load must not
    overwrite what a later reload (after a create, say) brought. */
export function useLatest<A extends unknown[], T>(fn: (...args: A) => Promise<T>, apply: (value: T) => void) {
  const [seq] = useState(() => ({ n: 0 }));
  return async (...args: A): Promise<void> => {
    const mine = ++seq.n;
    const value = await fn(...args);
    if (mine === seq.n) apply(value);
  };
}
