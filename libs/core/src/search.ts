// What a network's search finds for one linked account: posts, people or hashtags, a page at a
// time. Each hit says where the search continues right after it, so a caller merging several
// networks can stop anywhere in a page and carry on from there later.
import type { SkippedItem } from './connector.js';
import type { Post } from './post.js';
import type { Profile } from './profile.js';
import type { TrustDomain } from './trust.js';

/** What a search looks for. */
export const SearchKind = {
  Posts: 'POSTS',
  People: 'PEOPLE',
  Hashtags: 'HASHTAGS',
} as const;
export type SearchKind = (typeof SearchKind)[keyof typeof SearchKind];

/**
 * One result, with the cursor that continues the search right after it (the connector's own form:
 * an offset on Mastodon, a page cursor and a position in it on Bluesky); null when nothing follows.
 */
export interface SearchHit<T> {
  value: T;
  after: string | null;
}

/** A hashtag as a network's search knows it. */
export interface Hashtag {
  /** Without the `#`, as the network spells it. */
  name: string;
  webUrl: string | null;
  /** Posts that used it over the last week, where the network counts them (Mastodon's history). */
  usesLastWeek: number | null;
}

export interface PostSearchPage {
  /** In the network's order (newest first where it can sort so). Empty at the end. */
  hits: SearchHit<Post>[];
  skipped: SkippedItem[];
  /** Whose word these posts are (the server that answered); they are stored in this domain. */
  trustDomain: TrustDomain;
}

export interface PeopleSearchPage {
  /** In the network's order of relevance. Counts and banner are null where the search leaves them out. */
  hits: SearchHit<Profile>[];
}

export interface HashtagSearchPage {
  hits: SearchHit<Hashtag>[];
}
