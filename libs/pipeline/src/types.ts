import type { MemberFeedback } from './stages/feedback.js';
import type { Network, Post, RepostReason } from '@tributary/core';

/** One place a post was seen: which linked account's source delivered it, under which URI. */
export interface SeenIn {
  network: Network;
  linkedAccountId: string;
  sourceId: string;
  uri: string;
}

/** The engine's input: a post with the repost that brought it and where it was seen. */
export interface Candidate {
  post: Post;
  reason: RepostReason | null;
  seenIn: SeenIn[];
  /**
   * The post also came by itself, not only through `reason`'s repost (a home timeline of an account
   * following its author): a stage hiding reposts hides the repost, not the post. False by default.
   */
  original?: boolean;
}

/**
 * One stage's decision about one post. Filters that let a post pass record nothing (the absence
 * of a decision means "passed"), so the list says what acted on the post and why.
 */
export interface Decision {
  /** The stage's `use`, e.g. `mute-words` or `plugin:community/no-engagement-bait@1`. */
  stage: string;
  /** Position of the stage in the spec, to tell two stages of the same kind apart. */
  index: number;
  verdict: 'hide' | 'warn' | 'blur' | 'keep' | 'score' | 'merge' | 'demote' | 'error';
  reason: string | null;
  /** Contribution to the rank key, for `score` and `demote`; 0 otherwise. */
  score: number;
}

/**
 * The engine's output for one candidate, JSON-serializable, in input order. The worker stores it
 * as a TimelineEntry (rankKey, hidden, hiddenReason, decisions, seenIn).
 */
export interface PipelineResult {
  uri: string;
  hidden: boolean;
  hiddenReason: string | null;
  /** Reasons to show the post collapsed behind a warning (empty when none). */
  warn: string[];
  /** Reasons to blur the post's media (empty when none). */
  blur: string[];
  /** `createdAtSeconds / τ + Σ score contributions`: larger ranks higher; never needs rescoring. */
  rankKey: number;
  decisions: Decision[];
  /** Every place this post (and the duplicates merged into it) was seen. */
  seenIn: SeenIn[];
  /**
   * The repost the entry shows the post as: the candidate's, or null when a stage hid the repost
   * and kept the post (it also came by itself, `Candidate.original`).
   */
  reason: RepostReason | null;
  /** Set on a duplicate that was merged into another item (in this batch or `history`): that item's URI. */
  duplicateOf: string | null;
}

/** An already stored timeline entry the dedupe stage may merge new duplicates into. */
export interface HistoryEntry {
  post: Post;
}

/** Per-run inputs besides the batch. */
export interface RunOptions {
  /** The run's clock (expiry of mute words, plugin context). Defaults to now. */
  now?: Date;
  /** Recently stored entries of this pipeline, for cross-batch dedupe. */
  history?: readonly HistoryEntry[];
  /**
   * Also record a `keep` decision for every filter a post passed (for "why am I seeing this" and
   * pipeline previews). Off by default: stored entries record only what acted on a post.
   */
  explain?: boolean;
  /**
   * Plugin time this run may spend, in ms: the sum of its plugin calls' own time. Once spent, the
   * remaining plugin stages fail with `plugin time budget spent` (their `onError` applies), so one
   * batch of a pipeline of many slow plugins cannot hold a worker for minutes. Unlimited by default.
   */
  pluginBudgetMs?: number;
  /** The member's feedback from the feed's app, for the `feedback` stage (none by default). */
  feedback?: MemberFeedback;
}
