import type { Post, RepostReason } from '@tributary/core';
import type { MaskScan, ScanKey } from '../literal-scan.js';
import { compileMaskScan, MAX_SCAN_GROUPS } from '../literal-scan.js';
import { TokenHashes, tokenizeText, tokenScanTable } from '../filter-lists/tokens.js';
import { contribution, parseIsoMs } from '../rank-key.js';
import type { Candidate, Decision, HistoryEntry, SeenIn } from '../types.js';
import type { MemberFeedback } from './feedback.js';

/** The engine's working state for one candidate; stages mutate it in place (no per-stage copies). */
export interface ItemState {
  candidate: Candidate;
  post: Post;
  /** The repost the item is shown as: the candidate's, until a stage drops it to keep the post. */
  reason: RepostReason | null;
  /** Milliseconds since the epoch of `post.createdAt` (hydrated once). */
  createdMs: number;
  hidden: boolean;
  hiddenReason: string | null;
  warn: string[] | null;
  blur: string[] | null;
  decisions: Decision[];
  /** Σ score contributions so far. */
  score: number;
  seenIn: SeenIn[];
  duplicateOf: string | null;
  /** Which {@link TextKeys} groups may occur in `post.text`; -1 until scanned. */
  textMask: number;
}

/**
 * Where an item sits in time for ranking: when it came in as a repost (a boost), the repost's time
 * if later than the post's, else the post's creation.
 */
export function placedMs(item: ItemState): number {
  const at = item.reason?.at;
  if (at === undefined) return item.createdMs;
  const ms = parseIsoMs(at);
  return ms > item.createdMs ? ms : item.createdMs;
}

export interface RunContext {
  nowMs: number;
  nowIso: string;
  history: readonly HistoryEntry[];
  explain: boolean;
  /** The member's feedback from the feed's app (RunOptions.feedback). */
  feedback: MemberFeedback;
  /**
   * Plugin time left to this run (RunOptions.pluginBudgetMs), in ms; plugin stages spend it.
   * `spentAt`: the first stage refused for it, whose decision explains it for the stages after.
   */
  pluginBudget: { leftMs: number; spentAt: number | null };
}

export type Phase = 'filter' | 'score' | 'diversify';

/** Applies a per-post stage to one visible item (items hidden by an earlier stage are skipped). */
export type PerPost = (item: ItemState) => void;

/** A stage compiled from its spec; `run` sees the whole batch (hidden items included, to skip). */
export interface CompiledStage {
  readonly use: string;
  readonly index: number;
  readonly phase: Phase;
  run(items: ItemState[], context: RunContext): void | Promise<void>;
  /**
   * Set for stages that look at one post at a time, synchronously: the engine then runs runs of
   * such stages post by post in a single pass over the batch (each post's data is read while it is
   * in cache, instead of once per stage). Returns this run's per-item function, or null for none.
   */
  perPost?(context: RunContext): PerPost | null;
}

/** A stage that looks at one post at a time; `run` is the same work stage by stage. */
export function perPostStage(
  use: string,
  index: number,
  phase: Phase,
  prepare: (context: RunContext) => PerPost | null,
): CompiledStage {
  return {
    use,
    index,
    phase,
    perPost: prepare,
    run(items, context) {
      const apply = prepare(context);
      if (apply === null) return;
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (!item.hidden) apply(item);
      }
    },
  };
}

/**
 * The decisions of an item nothing acted on: shared and frozen, replaced by a real array on the
 * first decision (most posts of a batch would otherwise allocate an empty list each).
 */
export const NO_DECISIONS: Decision[] = Object.freeze([]) as unknown as Decision[];

/** Records a decision on an item. */
export function record(item: ItemState, decision: Decision): void {
  if (item.decisions === NO_DECISIONS) item.decisions = [decision];
  else item.decisions.push(decision);
}

/** A filter's answer for one post; null = passes. Stages preallocate constant verdicts. */
export interface Verdict {
  verdict: 'hide' | 'warn' | 'blur' | 'keep';
  reason: string;
}

/** Applies a verdict to an item and records it. */
export function applyVerdict(item: ItemState, use: string, index: number, v: Verdict): void {
  record(item, { stage: use, index, verdict: v.verdict, reason: v.reason, score: 0 });
  if (v.verdict === 'hide') {
    item.hidden = true;
    item.hiddenReason = v.reason;
  } else if (v.verdict === 'warn') {
    (item.warn ??= []).push(v.reason);
  } else if (v.verdict === 'blur') {
    (item.blur ??= []).push(v.reason);
  }
}

/**
 * Adds a score contribution, clamped to what one stage may add (rank-key.ts), and records it. A zero
 * contribution is recorded only when the run explains itself (`explain`), as a filter's pass is:
 * a preview then shows every scorer with what it added, stored entries only what moved them.
 */
export function addScore(
  item: ItemState,
  use: string,
  index: number,
  raw: number,
  reason: string,
  explain = false,
): void {
  const score = contribution(raw);
  if (score === 0 && !explain) return;
  item.score += score;
  record(item, { stage: use, index, verdict: 'score', reason, score });
}

/** Records that a visible item passed a filter (only when the run explains itself). */
export function recordPass(item: ItemState, use: string, index: number): void {
  record(item, { stage: use, index, verdict: 'keep', reason: null, score: 0 });
}

/** A per-post filter stage: `test` runs on every visible item, in order. */
export function perPostFilter(
  use: string,
  index: number,
  test: (item: ItemState) => Verdict | null,
): CompiledStage {
  return perPostStage(use, index, 'filter', (context) => {
    const explain = context.explain;
    return (item) => {
      const v = test(item);
      if (v !== null) applyVerdict(item, use, index, v);
      else if (explain) recordPass(item, use, index);
    };
  });
}

/** Lowercased ids and handles (without a leading `@`) for author matching. */
export interface AuthorSet {
  readonly entries: ReadonlySet<string>;
  /** Whether some entry has no `:`, like a handle (DIDs and account URIs all have one). */
  readonly withoutColon: boolean;
}

export function authorSet(authors: readonly string[]): AuthorSet {
  const entries = new Set(authors.map((a) => a.trim().replace(/^@/, '').toLowerCase()));
  return { entries, withoutColon: [...entries].some((e) => !e.includes(':')) };
}

export function authorIn(set: AuthorSet, networkId: string, handle: string): boolean {
  const entries = set.entries;
  if (entries.size === 0) return false;
  if (entries.has(networkId.toLowerCase())) return true;
  // Lowercasing neither adds nor removes a `:`: a handle without one (all of them) can only be an
  // entry without one, so a list of ids needs no lowercased copy of the handle.
  return (set.withoutColon || handle.includes(':')) && entries.has(handle.toLowerCase());
}

/** The bit of a {@link TextKeys} group that is always set (the groups beyond MAX_SCAN_GROUPS). */
const ALWAYS_BIT = 1 << MAX_SCAN_GROUPS;

/**
 * The post text is a post's longest field and several stages look for words in it: while the
 * pipeline compiles, each registers the fixed pieces its patterns need (literal-scan.ts), and each
 * post's text is then scanned once for all of them (the first stage that asks scans it).
 */
export class TextKeys {
  private readonly groups: ScanKey[][] = [];
  private scan: MaskScan | null = null;
  private tokensWanted = false;
  private tokenTable: Uint32Array | null = null;
  /** The hashes of the tokens of one post text: the last item's that was tokenized. */
  private readonly tokenHashes = new TokenHashes();
  private tokenized: ItemState | null = null;

  /** Registers a group of keys; returns its bit in {@link mask}. */
  register(keys: readonly ScanKey[]): number {
    if (this.scan !== null) throw new Error('TextKeys: register before seal');
    if (this.groups.length === MAX_SCAN_GROUPS) return ALWAYS_BIT;
    this.groups.push([...keys]);
    return 1 << (this.groups.length - 1);
  }

  /** A stage looks post texts' tokens up (filter lists' words): see {@link tokens}. */
  registerTokens(): void {
    if (this.scan !== null) throw new Error('TextKeys: register before seal');
    this.tokensWanted = true;
  }

  seal(): void {
    this.scan = compileMaskScan(this.groups);
    if (this.tokensWanted && this.groups.length > 0) this.tokenTable = tokenScanTable();
  }

  /** Whether some stage looks for words in post texts. */
  get used(): boolean {
    return this.groups.length > 0 || this.tokensWanted;
  }

  /** The groups whose keys may occur in the item's post text (see MaskScan). */
  mask(item: ItemState): number {
    let mask = item.textMask;
    if (mask < 0) mask = item.textMask = this.scan!.mask(item.post.text) | ALWAYS_BIT;
    return mask;
  }

  /**
   * The hashes of the tokens of the item's post text (filter-lists/tokens.ts), valid until the
   * next item's are asked for (the engine takes a post through a group of stages before the
   * next). When the keys were not looked for yet, both come from one pass (a list before the
   * filters that look for words reads the text for them); else the text is tokenized alone (a
   * list after them tokenizes only the posts they left).
   */
  tokens(item: ItemState): TokenHashes {
    if (this.tokenized !== item) {
      if (this.tokenTable !== null && item.textMask < 0)
        item.textMask =
          this.scan!.maskAndTokens(item.post.text, this.tokenTable, this.tokenHashes) | ALWAYS_BIT;
      else tokenizeText(item.post.text, this.tokenHashes);
      this.tokenized = item;
    }
    return this.tokenHashes;
  }
}
