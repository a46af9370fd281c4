// A plugin stage's options, as a form generated from the plugin's JSON Schema (its `configSchema`):
// objects become fieldsets, strings inputs (or a select for an enum), numbers number inputs,
// booleans checkboxes, lists of strings or numbers one item per line. Anything else is edited as
// JSON text, so every schema stays editable.
import { useState } from 'preact/hooks';
import { CheckboxField, LinesField, NumberField, SelectField, useId } from './fields';

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

const typeOf = (schema: JsonSchema): string | undefined =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;

function humanize(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function JsonField(props: { label: string; value: unknown; onChange: (v: unknown) => void; hint?: string }) {
  const id = useId('json');
  const [text, setText] = useState(props.value === undefined ? '' : JSON.stringify(props.value, null, 2));
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="field">
      <label for={id}>{props.label} (JSON)</label>
      <textarea
        id={id}
        rows={3}
        value={text}
        aria-invalid={error !== null}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          setText(raw);
          if (raw.trim() === '') return (props.onChange(undefined), setError(null));
          try {
            props.onChange(JSON.parse(raw));
            setError(null);
          } catch {
            setError('not valid JSON yet');
          }
        }}
      />
      {error ? <p class="error small">{error}</p> : props.hint ? <p class="hint">{props.hint}</p> : null}
    </div>
  );
}

function Field(props: {
  name: string;
  schema: JsonSchema;
  value: unknown;
  required: boolean;
  onChange: (v: unknown) => void;
}) {
  const { schema, value, onChange } = props;
  const label = `${schema.title ?? humanize(props.name)}${props.required ? ' (required)' : ''}`;
  const hint = schema.description;
  const type = typeOf(schema);
  if (schema.enum && schema.enum.every((v) => typeof v === 'string')) {
    const options = (schema.enum as string[]).map((v) => ({ value: v, label: v }));
    const fallback = typeof schema.default === 'string' ? schema.default : '';
    return (
      <SelectField
        label={label}
        value={typeof value === 'string' ? value : fallback}
        options={props.required || fallback ? options : [{ value: '', label: '(not set)' }, ...options]}
        onChange={(v) => onChange(v === '' ? undefined : v)}
      />
    );
  }
  switch (type) {
    case 'string':
      return (
        <TextField
          label={label}
          hint={hint}
          value={typeof value === 'string' ? value : ''}
          placeholder={typeof schema.default === 'string' ? schema.default : undefined}
          onChange={(v) => onChange(v === '' ? undefined : v)}
        />
      );
    case 'number':
    case 'integer':
      return (
        <NumberField
          label={label}
          hint={hint}
          value={typeof value === 'number' ? value : undefined}
          placeholder={typeof schema.default === 'number' ? schema.default : undefined}
          min={schema.minimum}
          max={schema.maximum}
          step={type === 'integer' ? 1 : 'any'}
          onChange={onChange}
        />
      );
    case 'boolean':
      return (
        <CheckboxField
          label={label}
          hint={hint}
          checked={typeof value === 'boolean' ? value : schema.default === true}
          onChange={onChange}
        />
      );
    case 'array': {
      const itemType = schema.items ? typeOf(schema.items) : undefined;
      if (itemType === 'string' || itemType === 'number' || itemType === 'integer') {
        const list = Array.isArray(value) ? value.map(String) : undefined;
        return (
          <LinesField
            label={label}
            hint={hint ?? 'One per line.'}
            value={list}
            onChange={(lines) => onChange(itemType === 'string' ? lines : lines.map(Number))}
          />
        );
      }
      return <JsonField label={label} hint={hint} value={value} onChange={onChange} />;
    }
    case 'object':
      return (
        <fieldset class="field nested">
          <legend>{label}</legend>
          <SchemaForm schema={schema} value={(value ?? {}) as Record<string, unknown>} onChange={onChange} />
        </fieldset>
      );
    default:
      return <JsonField label={label} hint={hint} value={value} onChange={onChange} />;
  }
}

function TextField(props: {
  label: string;
  hint?: string;
  value: string;
  placeholder?: string;
  onChange: (v: string) => void;
}) {
  const id = useId('text');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        value={props.value}
        placeholder={props.placeholder}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
      {props.hint ? <p class="hint">{props.hint}</p> : null}
    </div>
  );
}

export function SchemaForm(props: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
}) {
  const properties = Object.entries(props.schema.properties ?? {});
  if (properties.length === 0) return <p class="muted">This plugin has no options.</p>;
  return (
    <>
      {properties.map(([name, schema]) => (
        <Field
          key={name}
          name={name}
          schema={schema}
          required={props.schema.required?.includes(name) ?? false}
          value={props.value[name]}
          onChange={(next) => {
            const copy = { ...props.value };
            if (next === undefined) delete copy[name];
            else copy[name] = next;
            props.onChange(copy);
          }}
        />
      ))}
    </>
  );
}
