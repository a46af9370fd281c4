// Shaping the timeline without writing JSON: the member's pipelines, and an editor with a control
// for every option of every stage, a live preview of the draft, and the saved versions to go back to.
import { useEffect, useState } from 'preact/hooks';
import type { PipelineWithVersionsQuery } from '../gql/graphql';
import { messageOf, request } from '../api/client';
import {
  CreatePipeline,
  DeletePipeline,
  PipelineWithVersions,
  Pipelines,
  SetDefaultPipeline,
  UpdatePipeline,
} from '../api/operations';
import { useQuery } from '../api/use-query';
import { fullDate } from '../format';
import { href, navigate } from '../router';
import { CheckboxField, NumberField, SelectField, useId } from '../pipeline/fields';
import { PreviewPanel, usePreview } from '../pipeline/preview';
import type { SpecIssue } from '../pipeline/preview';
import { SchemaForm } from '../pipeline/schema-form';
import type { JsonSchema } from '../pipeline/schema-form';
import { BuiltinStageForm } from '../pipeline/stage-forms';
import type { PipelineSpec, StageSpec } from '../pipeline/spec';
import { STAGE_KINDS, asSpec, isPluginStage, newSpec, stageIndexOf, stageKind } from '../pipeline/spec';

type Plugin = PipelineWithVersionsQuery['plugins'][number];

export function PipelinesScreen() {
  const { data, error, reload } = useQuery(Pipelines, {});
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await work();
      await reload();
    } catch (e) {
      setProblem(messageOf(e));
    }
  };
  const create = (event: Event) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('name')).trim();
    void act(async () => {
      const { createPipeline } = await request(CreatePipeline, { name, spec: newSpec(name) });
      navigate(href('pipelines', createPipeline.id));
    });
  };
  const pipelines = data?.pipelines ?? [];
  return (
    <section aria-labelledby="pipelines-title">
      <h1 id="pipelines-title">Pipelines</h1>
      <p class="muted">
        A pipeline decides what your timeline shows and in which order. Each has its own timeline; the default
        one is your home.
      </p>
      {error || problem ? (
        <p class="error" role="alert">
          {error ?? problem}
        </p>
      ) : null}
      <ul class="pipelines">
        {pipelines.map((p) => (
          <li class="card" key={p.id}>
            <div class="row spread">
              <h2>
                <a href={href('pipelines', p.id)}>{p.name}</a>
              </h2>
              {p.isDefault ? <span class="badge">Default</span> : null}
            </div>
            <p class="muted">
              Version {p.version} · {asSpec(p.spec, p.name).stages.length} stages · saved{' '}
              {fullDate(p.updatedAt)}
              {p.rebuild.state === 'RUNNING' ? ` · rebuilding ${p.rebuild.done}/${p.rebuild.total}` : ''}
            </p>
            <div class="row">
              <a class="button" href={href('pipelines', p.id)}>
                Edit {p.name}
              </a>
              <a class="button secondary" href={`${href('audit')}?pipeline=${encodeURIComponent(p.id)}`}>
                Hidden items
              </a>
              {!p.isDefault ? (
                <>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => void act(() => request(SetDefaultPipeline, { id: p.id }))}
                  >
                    Make default
                  </button>
                  <button
                    type="button"
                    class="secondary danger"
                    onClick={() =>
                      confirm(`Delete ${p.name} and its timeline?`) &&
                      void act(() => request(DeletePipeline, { id: p.id, newDefault: null }))
                    }
                  >
                    Delete
                  </button>
                </>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      <form class="card row" onSubmit={create}>
        <label class="grow">
          New pipeline
          <input name="name" required maxLength={100} placeholder="Calm, Friends only, Art…" />
        </label>
        <button type="submit">Create</button>
      </form>
    </section>
  );
}

/** Leaves out empty words (a row just added) so a half-typed draft still previews. */
function cleanSpec(spec: PipelineSpec): PipelineSpec {
  return {
    ...spec,
    stages: spec.stages.map((stage) => {
      if (stage.use !== 'mute-words' || !Array.isArray(stage.with?.['words'])) return stage;
      const words = (stage.with['words'] as unknown[]).filter(
        (w) => !(typeof w === 'string' && w.trim() === ''),
      );
      return { ...stage, with: { ...stage.with, words } };
    }),
  };
}

function StageCard(props: {
  stage: StageSpec;
  index: number;
  count: number;
  issues: SpecIssue[];
  plugins: Plugin[];
  onChange: (stage: StageSpec | null) => void;
  onMove: (by: number) => void;
}) {
  const { stage, index } = props;
  const kind = stageKind(stage.use);
  const plugin = props.plugins.find((p) => p.use === stage.use || stage.use.startsWith(`plugin:${p.name}@`));
  const title = kind?.label ?? (isPluginStage(stage.use) ? `Plugin ${stage.use.slice(7)}` : stage.use);
  const enabled = stage.enabled ?? true;
  const headingId = useId('stage');
  const setWith = (value: Record<string, unknown>) => props.onChange({ ...stage, with: value });
  return (
    <li
      class={`card stage${enabled ? '' : ' is-disabled'}`}
      data-stage={stage.use}
      aria-labelledby={headingId}
    >
      <div class="row spread">
        <h3 id={headingId}>
          {index + 1}. {title} <code class="muted small">{stage.use}</code>
        </h3>
        <div class="row">
          <button
            type="button"
            class="icon"
            aria-label={`Move ${title} up`}
            disabled={index === 0}
            onClick={() => props.onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            class="icon"
            aria-label={`Move ${title} down`}
            disabled={index === props.count - 1}
            onClick={() => props.onMove(1)}
          >
            ↓
          </button>
          <button type="button" class="secondary danger" onClick={() => props.onChange(null)}>
            Remove {title}
          </button>
        </div>
      </div>
      {kind ? <p class="hint">{kind.help}</p> : null}
      <CheckboxField
        label={`${title}: on`}
        checked={enabled}
        onChange={(on) => props.onChange({ ...stage, enabled: on ? undefined : false })}
      />
      {kind ? (
        <BuiltinStageForm
          use={stage.use}
          value={stage.with ?? {}}
          onChange={setWith}
          scoringPlugins={props.plugins.map((p) => p.use)}
        />
      ) : plugin ? (
        <SchemaForm
          schema={plugin.configSchema as JsonSchema}
          value={(stage.with ?? {}) as Record<string, unknown>}
          onChange={setWith}
        />
      ) : (
        <p class="error">This plugin is not installed for you: the stage is skipped until it is.</p>
      )}
      {kind?.weighted || isPluginStage(stage.use) ? (
        <NumberField
          label="Weight (multiplies what it adds)"
          value={stage.weight}
          placeholder={1}
          min={-100}
          max={100}
          onChange={(weight) => props.onChange({ ...stage, weight })}
        />
      ) : null}
      {isPluginStage(stage.use) ? (
        <SelectField
          label="If the plugin fails"
          value={stage.onError ?? 'skip'}
          options={[
            { value: 'skip', label: 'Skip it (posts stay)' },
            { value: 'hide', label: 'Hide the posts it could not check' },
          ]}
          onChange={(onError) =>
            props.onChange({ ...stage, onError: onError === 'skip' ? undefined : onError })
          }
        />
      ) : null}
      {props.issues.length > 0 ? (
        <ul class="error stage-issues" role="alert">
          {props.issues.map((issue) => (
            <li key={issue.path}>
              {issue.path.replace(/^stages\[\d+\]\.?/, '') || 'stage'}: {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function PipelineEditorScreen({ id }: { id: string }) {
  const { data, error, reload } = useQuery(PipelineWithVersions, { id });
  // The version this screen just saved: the editor starts over on it and says so.
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const pipeline = data?.pipeline ?? null;
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p aria-busy="true">Loading the pipeline…</p>;
  if (!pipeline) return <p class="error">No such pipeline.</p>;
  return (
    <Editor
      key={`${pipeline.id}:${pipeline.version}`}
      pipeline={pipeline}
      plugins={data.plugins}
      justSaved={savedVersion === pipeline.version}
      onSaved={(version) => {
        setSavedVersion(version);
        void reload();
      }}
    />
  );
}

function Editor(props: {
  pipeline: NonNullable<PipelineWithVersionsQuery['pipeline']>;
  plugins: Plugin[];
  justSaved: boolean;
  onSaved: (version: number) => void;
}) {
  const { pipeline, plugins } = props;
  const saved = asSpec(pipeline.spec, pipeline.name);
  const [draft, setDraft] = useState<PipelineSpec>(saved);
  const [adding, setAdding] = useState(STAGE_KINDS[0]!.use);
  const [status, setStatus] = useState<string | null>(
    props.justSaved ? `Saved as version ${pipeline.version}; the timeline is being rebuilt.` : null,
  );
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const cleanDraft = cleanSpec(draft);
  const dirty = JSON.stringify(cleanDraft) !== JSON.stringify(saved);
  const preview = usePreview(saved, cleanDraft);
  const addId = useId('add');
  const nameId = useId('name');

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (dirty) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const setStages = (stages: StageSpec[]) => setDraft({ ...draft, stages });
  const add = () => {
    const plugin = plugins.find((p) => p.use === adding);
    const kind = stageKind(adding);
    setStages([
      ...draft.stages,
      { use: adding, with: structuredClone(kind?.defaults ?? (plugin ? {} : {})) },
    ]);
  };
  const save = async () => {
    setSaving(true);
    setProblem(null);
    try {
      const result = await request(UpdatePipeline, {
        id: pipeline.id,
        name: draft.name !== pipeline.name ? draft.name : null,
        spec: cleanDraft,
      });
      setStatus(`Saved as version ${result.updatePipeline.version}; the timeline is being rebuilt.`);
      props.onSaved(result.updatePipeline.version);
    } catch (e) {
      setProblem(messageOf(e));
    } finally {
      setSaving(false);
    }
  };
  const restore = (version: number, spec: unknown) => {
    setDraft(asSpec(spec, pipeline.name));
    setStatus(`Version ${version} is in the editor: check the preview, then save to go back to it.`);
  };

  return (
    <section class="editor" aria-labelledby="editor-title">
      <div class="toolbar">
        <h1 id="editor-title">Edit {pipeline.name}</h1>
        <a href={href('pipelines')}>All pipelines</a>
      </div>
      <div class="editor-layout">
        <div class="editor-main">
          <div class="card">
            <label for={nameId}>Name</label>
            <input
              id={nameId}
              value={draft.name}
              maxLength={100}
              onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            />
            <p class="muted small">
              Version {pipeline.version}
              {pipeline.isDefault ? ' · your default timeline' : ''}
              {pipeline.rebuild.state === 'RUNNING'
                ? ` · rebuilding ${pipeline.rebuild.done}/${pipeline.rebuild.total}`
                : ''}
            </p>
          </div>
          <h2>Stages</h2>
          <p class="muted small">
            Filters run first, then scores, then limits; a hidden post skips the rest.
          </p>
          <ol class="stages">
            {draft.stages.map((stage, i) => (
              <StageCard
                key={`${i}:${stage.use}`}
                stage={stage}
                index={i}
                count={draft.stages.length}
                plugins={plugins}
                issues={preview.issues.filter((issue) => stageIndexOf(issue.path) === i)}
                onChange={(next) =>
                  setStages(
                    next === null
                      ? draft.stages.filter((_, j) => j !== i)
                      : draft.stages.map((s, j) => (j === i ? next : s)),
                  )
                }
                onMove={(by) => {
                  const stages = [...draft.stages];
                  const [moved] = stages.splice(i, 1);
                  stages.splice(i + by, 0, moved!);
                  setStages(stages);
                }}
              />
            ))}
          </ol>
          {preview.issues
            .filter((issue) => stageIndexOf(issue.path) === null)
            .map((issue) => (
              <p class="error" key={issue.path}>
                {issue.path}: {issue.message}
              </p>
            ))}
          <div class="card row add-stage">
            <div class="field grow">
              <label for={addId}>Add a stage</label>
              <select id={addId} value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
                <optgroup label="Built in">
                  {STAGE_KINDS.map((k) => (
                    <option key={k.use} value={k.use}>
                      {k.label}
                    </option>
                  ))}
                </optgroup>
                {plugins.length > 0 ? (
                  <optgroup label="Plugins">
                    {plugins.map((p) => (
                      <option key={p.id} value={p.use}>
                        {p.name} {p.version}
                      </option>
                    ))}
                  </optgroup>
                ) : null}
              </select>
            </div>
            <button type="button" onClick={add}>
              Add stage
            </button>
          </div>
          <div class="save-bar" role="region" aria-label="Save">
            {problem ? (
              <p class="error" role="alert">
                {problem}
              </p>
            ) : null}
            {status ? <p role="status">{status}</p> : null}
            <div class="row">
              <button
                type="button"
                disabled={!dirty || saving || preview.issues.length > 0}
                onClick={() => void save()}
              >
                {saving ? 'Saving…' : dirty ? 'Save changes' : 'Saved'}
              </button>
              <button type="button" class="secondary" disabled={!dirty} onClick={() => setDraft(saved)}>
                Discard changes
              </button>
            </div>
          </div>
          <details class="card versions">
            <summary>
              <h2>Versions ({pipeline.versions.length})</h2>
            </summary>
            <ol reversed>
              {[...pipeline.versions].reverse().map((v) => (
                <li key={v.version}>
                  <strong>Version {v.version}</strong> <span class="muted">· {fullDate(v.createdAt)}</span>
                  <p class="small muted">
                    {asSpec(v.spec, '')
                      .stages.map((s) => stageKind(s.use)?.label ?? s.use)
                      .join(' → ') || 'no stages'}
                  </p>
                  {v.version !== pipeline.version ? (
                    <button type="button" class="secondary" onClick={() => restore(v.version, v.spec)}>
                      Restore version {v.version}
                    </button>
                  ) : (
                    <span class="badge">Current</span>
                  )}
                </li>
              ))}
            </ol>
          </details>
        </div>
        <PreviewPanel preview={preview} dirty={dirty} />
      </div>
    </section>
  );
}
