// The pipeline spec as the editor handles it (DESIGN.md "Pipelines"; the API validates it with
// libs/pipeline's schema, and the editor shows those problems by path) and the built-in stages the
// editor offers, with what each does in words a member understands.

export type With = Record<string, unknown>;

export interface StageSpec {
  use: string;
  with?: With;
  weight?: number;
  onError?: 'skip' | 'hide';
  enabled?: boolean;
}

export interface PipelineSpec {
  name: string;
  sources?: unknown[];
  stages: StageSpec[];
}

export interface StageKind {
  use: string;
  label: string;
  help: string;
  /** What a new stage of this kind starts with. */
  defaults: With;
  /** Scorers: the stage's weight multiplies what it adds. */
  weighted?: boolean;
}

export const STAGE_KINDS: StageKind[] = [
  {
    use: 'mute-words',
    label: 'Mute words',
    help: 'Hide (or put behind a warning) posts containing words or phrases.',
    defaults: { words: [] },
  },
  {
    use: 'mute-authors',
    label: 'Mute people',
    help: 'Hide posts and reposts by these accounts.',
    defaults: { authors: [] },
  },
  {
    use: 'hide-reposts',
    label: 'Hide reposts',
    help: 'Hide reposts and boosts, except by the accounts you list.',
    defaults: { except: [] },
  },
  {
    use: 'hide-replies',
    label: 'Hide replies',
    help: 'Hide replies, except by the accounts you list.',
    defaults: { except: [], keepSelfThreads: true },
  },
  {
    use: 'language',
    label: 'Languages',
    help: 'Keep posts in some languages, or hide posts in others.',
    defaults: { allow: ['en'] },
  },
  {
    use: 'network',
    label: 'Networks',
    help: 'Keep posts from these networks only.',
    defaults: { allow: ['bluesky', 'mastodon'] },
  },
  {
    use: 'content-warning',
    label: 'Content warnings',
    help: 'What to do with posts that carry a content warning or are marked sensitive.',
    defaults: { action: 'warn' },
  },
  {
    use: 'labels',
    label: 'Labels',
    help: 'Act on labels that networks and labelers put on posts.',
    defaults: { rules: [] },
  },
  {
    use: 'ai-generated',
    label: 'AI-generated content',
    help: 'Hide or warn about posts declared or labelled as AI-generated.',
    defaults: { action: 'hide' },
  },
  {
    use: 'media-only',
    label: 'Only posts with media',
    help: 'Hide posts without images or video.',
    defaults: {},
  },
  { use: 'links-only', label: 'Only posts with links', help: 'Hide posts without a link.', defaults: {} },
  {
    use: 'dedupe-crossposts',
    label: 'Merge cross-posts',
    help: 'Show a post seen on both networks (or bridged) once.',
    defaults: {},
  },
  {
    use: 'score/recency',
    label: 'Recency',
    help: 'How fast posts age: a post this many hours old counts as much as one unit of boost.',
    defaults: { halfLifeHours: 6 },
  },
  {
    use: 'score/engagement',
    label: 'Engagement',
    help: 'Raise posts with many likes, reposts and replies.',
    defaults: {},
    weighted: true,
  },
  {
    use: 'score/boost-authors',
    label: 'Boost people',
    help: 'Raise posts by these accounts.',
    defaults: { authors: [], amount: 1 },
    weighted: true,
  },
  {
    use: 'feedback',
    label: 'Feed feedback',
    help: 'Use "show more / less" and "seen" from the Bluesky app when your pipeline is published as a feed.',
    defaults: {},
    weighted: true,
  },
  {
    use: 'diversify/author-cap',
    label: 'Limit posts per person',
    help: "Lower an account's posts beyond a number in a row.",
    defaults: { max: 3, per: 20 },
  },
];

export function stageKind(use: string): StageKind | undefined {
  return STAGE_KINDS.find((k) => k.use === use);
}

export const isPluginStage = (use: string): boolean => use.startsWith('plugin:');

/** A new, empty spec for a new pipeline: newest first, nothing hidden. */
export function newSpec(name: string): PipelineSpec {
  return { name, sources: [], stages: [{ use: 'score/recency', with: { halfLifeHours: 6 } }] };
}

/** The spec as the API stores it, in the shape the editor works on. */
export function asSpec(value: unknown, fallbackName: string): PipelineSpec {
  const spec = (value ?? {}) as Partial<PipelineSpec>;
  return {
    ...spec,
    name: typeof spec.name === 'string' ? spec.name : fallbackName,
    stages: Array.isArray(spec.stages) ? spec.stages.map((s) => ({ ...s, with: { ...(s.with ?? {}) } })) : [],
  };
}

/** Index of the stage a validation problem's path (`stages[3].with.words[0]`) is about. */
export function stageIndexOf(path: string): number | null {
  const match = /^stages\[(\d+)\]/.exec(path);
  return match ? Number(match[1]) : null;
}
