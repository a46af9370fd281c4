// The options of each built-in stage as form controls (libs/pipeline/src/spec.ts has their schema:
// keep the two in step). An option left at its default is left out of the spec.
import type { With } from './spec';
import {
  CheckboxField,
  ChoicesField,
  ExpiryField,
  LinesField,
  NumberField,
  SelectField,
  useId,
} from './fields';

export interface StageFormProps {
  value: With;
  onChange: (value: With) => void;
  /** `plugin:name@version` of the member's scoring plugins, for the AI classifier. */
  scoringPlugins?: string[];
}

/** `value` with `key` set, or removed when `next` is undefined. */
function put(value: With, key: string, next: unknown): With {
  const copy = { ...value };
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const str = <T extends string>(v: unknown, fallback: T): T => (typeof v === 'string' ? (v as T) : fallback);

const NETWORKS = [
  { value: 'bluesky', label: 'Bluesky' },
  { value: 'mastodon', label: 'Mastodon' },
];
const ACTIONS_2 = [
  { value: 'hide', label: 'Hide the post' },
  { value: 'warn', label: 'Show it behind a warning' },
] as const;
const ACTIONS_3 = [...ACTIONS_2, { value: 'blur', label: 'Blur its media' }] as const;

type MuteEntry = string | { word?: string; regex?: string; wholeWord?: boolean; expiresAt?: string };

function MuteWordRow(props: { entry: MuteEntry; index: number; onChange: (e: MuteEntry | null) => void }) {
  const e = typeof props.entry === 'string' ? { word: props.entry } : props.entry;
  const isRegex = e.regex !== undefined;
  const id = useId('word');
  const simplify = (next: {
    word?: string;
    regex?: string;
    wholeWord?: boolean;
    expiresAt?: string;
  }): MuteEntry => {
    const clean = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as typeof next;
    return Object.keys(clean).length === 1 && clean.word !== undefined ? clean.word : clean;
  };
  return (
    <li class="word-row">
      <div class="field">
        <label for={id}>{isRegex ? `Pattern ${props.index + 1}` : `Word or phrase ${props.index + 1}`}</label>
        <input
          id={id}
          name="mute-word"
          value={(isRegex ? e.regex : e.word) ?? ''}
          onInput={(ev) => {
            const text = ev.currentTarget.value;
            props.onChange(simplify(isRegex ? { ...e, regex: text } : { ...e, word: text }));
          }}
        />
      </div>
      <SelectField
        label="Kind"
        value={isRegex ? 'regex' : 'word'}
        options={[
          { value: 'word', label: 'Word or phrase' },
          { value: 'regex', label: 'Regular expression' },
        ]}
        onChange={(kind) => {
          const text = (isRegex ? e.regex : e.word) ?? '';
          const { word: _w, regex: _r, wholeWord: _ww, ...rest } = e;
          props.onChange(simplify(kind === 'regex' ? { ...rest, regex: text } : { ...rest, word: text }));
        }}
      />
      {!isRegex ? (
        <CheckboxField
          label="Whole words only"
          checked={e.wholeWord ?? true}
          onChange={(checked) => props.onChange(simplify({ ...e, wholeWord: checked ? undefined : false }))}
        />
      ) : null}
      <ExpiryField
        label="Until (optional)"
        value={e.expiresAt}
        onChange={(expiresAt) => props.onChange(simplify({ ...e, expiresAt }))}
      />
      <button type="button" class="secondary" onClick={() => props.onChange(null)}>
        Remove {(isRegex ? e.regex : e.word) || `entry ${props.index + 1}`}
      </button>
    </li>
  );
}

function MuteWordsForm({ value, onChange }: StageFormProps) {
  const words = (Array.isArray(value['words']) ? value['words'] : []) as MuteEntry[];
  const setWords = (next: MuteEntry[]) => onChange(put(value, 'words', next));
  return (
    <>
      <ul class="word-list">
        {words.map((entry, i) => (
          <MuteWordRow
            key={i}
            entry={entry}
            index={i}
            onChange={(next) =>
              setWords(
                next === null ? words.filter((_, j) => j !== i) : words.map((w, j) => (j === i ? next : w)),
              )
            }
          />
        ))}
      </ul>
      <button type="button" class="secondary" onClick={() => setWords([...words, ''])}>
        Add a word
      </button>
      <SelectField
        label="Posts that match"
        value={str(value['action'], 'hide')}
        options={[...ACTIONS_2]}
        onChange={(a) => onChange(put(value, 'action', a === 'hide' ? undefined : a))}
      />
      <ChoicesField
        legend="Look in"
        value={strings(value['fields'])}
        options={[
          { value: 'text', label: 'Text' },
          { value: 'contentWarning', label: 'Content warning' },
          { value: 'altText', label: 'Image descriptions' },
          { value: 'linkTitle', label: 'Link titles' },
          { value: 'hashtags', label: 'Hashtags' },
          { value: 'quote', label: 'Quoted post' },
        ]}
        onChange={(fields) => onChange(put(value, 'fields', fields?.length === 0 ? undefined : fields))}
      />
      <ChoicesField
        legend="On"
        value={strings(value['networks'])}
        options={NETWORKS}
        onChange={(n) => onChange(put(value, 'networks', n))}
      />
      <ExpiryField
        label="Whole stage until (optional)"
        value={value['expiresAt'] as string | undefined}
        onChange={(v) => onChange(put(value, 'expiresAt', v))}
      />
    </>
  );
}

function AuthorsField(props: StageFormProps & { field: string; label: string }) {
  return (
    <LinesField
      label={props.label}
      hint="One per line: a handle (alice.bsky.social, @bob@mastodon.social), a DID or an account URI."
      value={strings(props.value[props.field])}
      onChange={(list) => props.onChange(put(props.value, props.field, list))}
    />
  );
}

function LanguageForm({ value, onChange }: StageFormProps) {
  const codes = (v: string[]) => (v.length ? v.flatMap((l) => l.split(/[\s,]+/)).filter(Boolean) : undefined);
  return (
    <>
      <LinesField
        label="Keep only these languages"
        hint="Codes such as en, de, pt-BR; one per line. Empty: any."
        value={strings(value['allow'])}
        onChange={(v) => onChange(put(value, 'allow', codes(v)))}
      />
      <LinesField
        label="Hide these languages"
        hint="A post is hidden only if all its languages are listed."
        value={strings(value['deny'])}
        onChange={(v) => onChange(put(value, 'deny', codes(v)))}
      />
      <CheckboxField
        label="Keep posts whose language is unknown"
        checked={bool(value['keepUnknown'], true)}
        onChange={(c) => onChange(put(value, 'keepUnknown', c ? undefined : false))}
      />
    </>
  );
}

function LabelsForm({ value, onChange }: StageFormProps) {
  const rules = (Array.isArray(value['rules']) ? value['rules'] : []) as { label: string; action: string }[];
  const setRules = (next: typeof rules) => onChange(put(value, 'rules', next));
  return (
    <>
      <ul class="word-list">
        {rules.map((rule, i) => (
          <li class="word-row" key={i}>
            <LabelInput
              value={rule.label}
              index={i}
              onChange={(label) => setRules(rules.map((r, j) => (j === i ? { ...r, label } : r)))}
            />
            <SelectField
              label="Action"
              value={rule.action as 'hide'}
              options={[...ACTIONS_3]}
              onChange={(action) => setRules(rules.map((r, j) => (j === i ? { ...r, action } : r)))}
            />
            <button type="button" class="secondary" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
              Remove label {rule.label || i + 1}
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        class="secondary"
        onClick={() => setRules([...rules, { label: '', action: 'warn' }])}
      >
        Add a label rule
      </button>
      <CheckboxField
        label="Also follow what the network or labeler says to do"
        checked={bool(value['honorNetworkActions'], true)}
        onChange={(c) => onChange(put(value, 'honorNetworkActions', c ? undefined : false))}
      />
    </>
  );
}

function LabelInput(props: { value: string; index: number; onChange: (v: string) => void }) {
  const id = useId('label');
  return (
    <div class="field">
      <label for={id}>Label {props.index + 1}</label>
      <input
        id={id}
        value={props.value}
        placeholder="porn, nudity, spoiler…"
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </div>
  );
}

function AiForm({ value, onChange, scoringPlugins = [] }: StageFormProps) {
  const classifier = (value['classifier'] ?? null) as { plugin: string; threshold?: number } | null;
  return (
    <>
      <SelectField
        label="Posts that match"
        value={str(value['action'], 'hide')}
        options={[...ACTIONS_2]}
        onChange={(a) => onChange(put(value, 'action', a === 'hide' ? undefined : a))}
      />
      <CheckboxField
        label='Look for disclosures in text ("made with AI", "generated with Midjourney"…)'
        checked={bool(value['disclosures'], true)}
        onChange={(c) => onChange(put(value, 'disclosures', c ? undefined : false))}
      />
      <LinesField
        label="Labels (empty: the usual AI labels)"
        value={strings(value['labels'])}
        onChange={(v) => onChange(put(value, 'labels', v.length ? v : undefined))}
      />
      <LinesField
        label="Hashtags (empty: #AIart, #midjourney and the like)"
        value={strings(value['hashtags'])}
        onChange={(v) => onChange(put(value, 'hashtags', v.length ? v : undefined))}
      />
      <SelectField
        label="Classifier plugin"
        value={classifier?.plugin ?? ''}
        options={[
          { value: '', label: 'None' },
          ...scoringPlugins.map((p) => ({
            value: p.replace(/^plugin:/, ''),
            label: p.replace(/^plugin:/, ''),
          })),
        ]}
        onChange={(plugin) =>
          onChange(put(value, 'classifier', plugin ? { ...(classifier ?? {}), plugin } : undefined))
        }
      />
      {classifier ? (
        <NumberField
          label="Classifier threshold (0–1)"
          value={classifier.threshold}
          placeholder={0.8}
          min={0}
          max={1}
          step={0.05}
          onChange={(threshold) => onChange(put(value, 'classifier', { ...classifier, threshold }))}
        />
      ) : null}
    </>
  );
}

function DedupeForm({ value, onChange }: StageFormProps) {
  const identities = (Array.isArray(value['identities']) ? value['identities'] : []) as string[][];
  return (
    <>
      <NumberField
        label="Same text or link within (minutes)"
        value={num(value['windowMinutes'])}
        placeholder={60}
        min={1}
        onChange={(v) => onChange(put(value, 'windowMinutes', v))}
      />
      <LinesField
        label="People with an account on each network"
        hint="One person per line, their accounts separated by spaces: alice.bsky.social @alice@mastodon.social"
        value={identities.map((group) => group.join(' '))}
        onChange={(lines) => {
          const groups = lines.map((l) => l.split(/\s+/).filter(Boolean));
          onChange(put(value, 'identities', groups.length ? groups : undefined));
        }}
      />
    </>
  );
}

function FeedbackForm({ value, onChange }: StageFormProps) {
  return (
    <>
      <SelectField
        label="Posts already seen"
        value={str(value['seen'], 'sink')}
        options={[
          { value: 'sink', label: 'Move them down' },
          { value: 'hide', label: 'Hide them' },
          { value: 'keep', label: 'Leave them' },
        ]}
        onChange={(s) => onChange(put(value, 'seen', s === 'sink' ? undefined : s))}
      />
      <NumberField
        label="Move down by (units)"
        value={num(value['sinkBy'])}
        placeholder={4}
        min={0}
        onChange={(v) => onChange(put(value, 'sinkBy', v))}
      />
      <NumberField
        label='Per "show less" on an author'
        value={num(value['less'])}
        placeholder={2}
        min={0}
        max={100}
        onChange={(v) => onChange(put(value, 'less', v))}
      />
      <NumberField
        label='Per "show more" on an author'
        value={num(value['more'])}
        placeholder={1}
        min={0}
        max={100}
        onChange={(v) => onChange(put(value, 'more', v))}
      />
    </>
  );
}

/** The form of a built-in stage, or null for one without options. */
export function BuiltinStageForm({ use, ...props }: StageFormProps & { use: string }) {
  const { value, onChange } = props;
  switch (use) {
    case 'mute-words':
      return <MuteWordsForm {...props} />;
    case 'mute-authors':
      return <AuthorsField {...props} field="authors" label="People to mute" />;
    case 'hide-reposts':
      return <AuthorsField {...props} field="except" label="Except reposts by" />;
    case 'hide-replies':
      return (
        <>
          <AuthorsField {...props} field="except" label="Except replies by" />
          <CheckboxField
            label="Keep people's replies to themselves (threads)"
            checked={bool(value['keepSelfThreads'], true)}
            onChange={(c) => onChange(put(value, 'keepSelfThreads', c ? undefined : false))}
          />
        </>
      );
    case 'language':
      return <LanguageForm {...props} />;
    case 'network':
      return (
        <ChoicesField
          legend="Keep posts from"
          value={strings(value['allow'])}
          options={NETWORKS}
          onChange={(n) => onChange(put(value, 'allow', n ?? NETWORKS.map((x) => x.value)))}
        />
      );
    case 'content-warning':
      return (
        <>
          <SelectField
            label="Posts with a content warning"
            value={str(value['action'], 'warn')}
            options={[...ACTIONS_3]}
            onChange={(a) => onChange(put(value, 'action', a === 'warn' ? undefined : a))}
          />
          <CheckboxField
            label="Also posts marked sensitive without a warning"
            checked={bool(value['includeSensitive'], true)}
            onChange={(c) => onChange(put(value, 'includeSensitive', c ? undefined : false))}
          />
        </>
      );
    case 'labels':
      return <LabelsForm {...props} />;
    case 'ai-generated':
      return <AiForm {...props} />;
    case 'dedupe-crossposts':
      return <DedupeForm {...props} />;
    case 'score/recency':
      return (
        <NumberField
          label="Half-life (hours)"
          value={num(value['halfLifeHours'])}
          min={0.1}
          onChange={(v) => onChange(put(value, 'halfLifeHours', v))}
        />
      );
    case 'score/boost-authors':
      return (
        <>
          <AuthorsField {...props} field="authors" label="People to boost" />
          <NumberField
            label="Boost (units; one unit is one half-life newer)"
            value={num(value['amount'])}
            placeholder={1}
            onChange={(v) => onChange(put(value, 'amount', v))}
          />
        </>
      );
    case 'feedback':
      return <FeedbackForm {...props} />;
    case 'diversify/author-cap':
      return (
        <>
          <NumberField
            label="At most this many posts per person"
            value={num(value['max'])}
            min={1}
            step={1}
            onChange={(v) => onChange(put(value, 'max', v))}
          />
          <NumberField
            label="In any run of posts"
            value={num(value['per'])}
            placeholder={20}
            min={1}
            step={1}
            onChange={(v) => onChange(put(value, 'per', v))}
          />
          <NumberField
            label="Lower each extra post by (units)"
            value={num(value['penalty'])}
            placeholder={1}
            min={0}
            onChange={(v) => onChange(put(value, 'penalty', v))}
          />
        </>
      );
    default:
      return null;
  }
}
