import { Injectable } from '@nestjs/common';
import { ViewerStateService } from '../viewer-state/viewer-state.service.js';
import type { PostViewerState } from '../viewer-state/viewer-state.service.js';
import type { ViewerState } from './entities/mastodon-entities.js';

/**
 * What the member did to posts (favourited, reblogged, bookmarked, voted in their polls), and to the
 * posts they quote, by Post id.
 */
export abstract class ViewerStates {
  abstract of(userId: string, postIds: readonly string[]): Promise<Map<string, ViewerState>>;
}

/** The member's viewer state as GraphQL reads it (ViewerStateService), in Mastodon's words. */
@Injectable()
export class MemberViewerStates extends ViewerStates {
  constructor(private readonly states: ViewerStateService) {
    super();
  }

  async of(userId: string, postIds: readonly string[]): Promise<Map<string, ViewerState>> {
    const states = await this.states.of(userId, postIds);
    return new Map([...states].map(([id, s]) => [id, inMastodonWords(s)]));
  }
}

/** The member's viewer state of a post (as GraphQL and a timeline window read it) in Mastodon's words. */
export const inMastodonWords = (s: PostViewerState): ViewerState => ({
  favourited: s.liked,
  reblogged: s.reposted,
  bookmarked: s.bookmarked,
  ownVotes: s.ownVotes,
  quote: s.quote ? inMastodonWords(s.quote) : null,
});
