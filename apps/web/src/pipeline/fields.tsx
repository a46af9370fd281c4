// Form controls for stage options: every control is a labelled native element (keyboard and screen
// readers work as usual), and writes back a value of the type the spec expects.
import { useEffect, useState } from 'preact/hooks';

let nextId = 0;
/** A stable id for label/description pairs. */
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

/** A list of strings edited one per line; empty lines are dropped. */
export function LinesField(props: {
  label: string;
  hint?: string;
  value: string[] | undefined;
  onChange: (value: string[]) => void;
  name?: string;
}) {
  const id = useId('lines');
  const [text, setText] = useState((props.value ?? []).join('\n'));
  // Follow outside changes (a rollback) without fighting the member's typing.
  useEffect(() => {
    const outside = (props.value ?? []).join('\n');
    if (
      outside !==
      text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n')
    )
      setText(outside);
  }, [JSON.stringify(props.value ?? [])]);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={Math.min(Math.max(2, text.split('\n').length + 1), 8)}
        value={text}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          setText(raw);
          props.onChange(
            raw
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean),
          );
        }}
      />
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function NumberField(props: {
  label: string;
  hint?: string;
  value: number | undefined;
  placeholder?: number;
  min?: number;
  max?: number;
  step?: number | 'any';
  onChange: (value: number | undefined) => void;
}) {
  const id = useId('number');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        value={props.value ?? ''}
        placeholder={props.placeholder !== undefined ? String(props.placeholder) : undefined}
        min={props.min}
        max={props.max}
        step={props.step ?? 'any'}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          props.onChange(raw === '' ? undefined : Number(raw));
        }}
      />
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function CheckboxField(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  const id = useId('check');
  return (
    <div class="field checkbox">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
    </div>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
}) {
  const id = useId('select');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Several choices from a fixed set; none chosen is `undefined` (the stage's default, usually all). */
export function ChoicesField<T extends string>(props: {
  legend: string;
  hint?: string;
  value: T[] | undefined;
  options: { value: T; label: string }[];
  onChange: (value: T[] | undefined) => void;
}) {
  const chosen = props.value ?? props.options.map((o) => o.value);
  return (
    <fieldset class="field choices">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label class="inline" key={o.value}>
          <input
            type="checkbox"
            checked={chosen.includes(o.value)}
            onChange={(e) => {
              const next = e.currentTarget.checked
                ? [...chosen, o.value]
                : chosen.filter((c) => c !== o.value);
              props.onChange(next.length === props.options.length ? undefined : next);
            }}
          />{' '}
          {o.label}
        </label>
      ))}
      {props.hint ? <p class="hint">{props.hint}</p> : null}
    </fieldset>
  );
}

/** A datetime-local input holding an ISO-8601 instant (or nothing). */
export function ExpiryField(props: {
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  const id = useId('expiry');
  const local = props.value ? toLocalInput(props.value) : '';
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="datetime-local"
        value={local}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          props.onChange(raw ? new Date(raw).toISOString() : undefined);
        }}
      />
    </div>
  );
}

function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
