import type { Post } from '@tributary/core';
import type { Candidate, Decision, HistoryEntry, SeenIn } from '../types.js';

/** The engine's working state for one candidate; stages mutate it in place (no per-stage copies). */
export interface ItemState {
  candidate: Candidate;
  post: Post;
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
}

export interface RunContext {
  nowMs: number;
  nowIso: string;
  history: readonly HistoryEntry[];
  explain: boolean;
}

export type Phase = 'filter' | 'score' | 'diversify';

/** A stage compiled from its spec; `run` sees the whole batch (hidden items included, to skip). */
export interface CompiledStage {
  readonly use: string;
  readonly index: number;
  readonly phase: Phase;
  run(items: ItemState[], context: RunContext): void | Promise<void>;
}

/** A filter's answer for one post; null = passes. Stages preallocate constant verdicts. */
export interface Verdict {
  verdict: 'hide' | 'warn' | 'blur' | 'keep';
  reason: string;
}

/** Applies a verdict to an item and records it. */
export function applyVerdict(item: ItemState, use: string, index: number, v: Verdict): void {
  item.decisions.push({ stage: use, index, verdict: v.verdict, reason: v.reason, score: 0 });
  if (v.verdict === 'hide') {
    item.hidden = true;
    item.hiddenReason = v.reason;
  } else if (v.verdict === 'warn') {
    (item.warn ??= []).push(v.reason);
  } else if (v.verdict === 'blur') {
    (item.blur ??= []).push(v.reason);
  }
}

/** Adds a score contribution and records it (zero contributions are not recorded). */
export function addScore(item: ItemState, use: string, index: number, score: number, reason: string): void {
  if (score === 0) return;
  item.score += score;
  item.decisions.push({ stage: use, index, verdict: 'score', reason, score });
}

/** Records that a visible item passed a filter (only when the run explains itself). */
export function recordPass(item: ItemState, use: string, index: number): void {
  item.decisions.push({ stage: use, index, verdict: 'keep', reason: null, score: 0 });
}

/** A per-post filter stage: `test` runs on every visible item, in order. */
export function perPostFilter(
  use: string,
  index: number,
  test: (item: ItemState) => Verdict | null,
): CompiledStage {
  return {
    use,
    index,
    phase: 'filter',
    run(items, context) {
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (item.hidden) continue;
        const v = test(item);
        if (v !== null) applyVerdict(item, use, index, v);
        else if (context.explain) recordPass(item, use, index);
      }
    },
  };
}

/** Lowercased ids and handles (without a leading `@`) for author matching. */
export function authorSet(authors: readonly string[]): Set<string> {
  return new Set(authors.map((a) => a.trim().replace(/^@/, '').toLowerCase()));
}

export function authorIn(set: ReadonlySet<string>, networkId: string, handle: string): boolean {
  return set.size > 0 && (set.has(networkId.toLowerCase()) || set.has(handle.toLowerCase()));
}
