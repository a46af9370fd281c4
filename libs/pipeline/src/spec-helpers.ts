// Shared by this lib's unit tests: candidates around SDK fixture posts, one-stage pipelines.
import type { Author, Post, RepostReason } from '@tributary/core';
import type { PostOverrides } from '@tributary/plugin-sdk';
import { makePost } from '@tributary/plugin-sdk';
import type { CompileOptions } from './engine.js';
import { compilePipeline } from './engine.js';
import type { Candidate, PipelineResult, RunOptions } from './types.js';

export function candidate(post: Post, reason: RepostReason | null = null): Candidate {
  return {
    post,
    reason,
    seenIn: [{ network: post.network, linkedAccountId: 'acct-1', sourceId: 'home', uri: post.uri }],
  };
}

export function post(overrides: PostOverrides = {}): Post {
  return makePost(overrides);
}

export function repostBy(by: Partial<Author>): RepostReason {
  return {
    by: {
      network: 'BLUESKY',
      networkId: 'did:plc:bob',
      handle: 'bob.test',
      displayName: 'Bob',
      avatarUrl: null,
      bot: false,
      ...by,
    },
    at: '2026-11-23T12:30:00.000Z',
    uri: null,
  };
}

/** Runs a pipeline of the given stages over posts (or candidates); results in input order. */
export async function runStages(
  stages: unknown[],
  inputs: readonly (Post | Candidate)[],
  options: CompileOptions & RunOptions = {},
): Promise<PipelineResult[]> {
  const pipeline = compilePipeline({ name: 'test', stages }, options);
  const candidates = inputs.map((i) => ('post' in i && 'seenIn' in i ? i : candidate(i)));
  return pipeline.run(candidates, options);
}

/** Runs one stage and returns, per post, `hide:<reason>` / `warn:<reason>` / `blur:<reason>` / `keep`. */
export async function verdicts(
  stage: unknown,
  posts: readonly (Post | Candidate)[],
  options: CompileOptions & RunOptions = {},
): Promise<string[]> {
  const results = await runStages([stage], posts, options);
  return results.map((r) => {
    if (r.hidden) return `hide:${r.hiddenReason ?? ''}`;
    if (r.warn.length > 0) return `warn:${r.warn.join('|')}`;
    if (r.blur.length > 0) return `blur:${r.blur.join('|')}`;
    return 'keep';
  });
}
