/** The networks Tributary speaks to. Values are stored in the database and exposed in GraphQL. */
export const Network = {
  Bluesky: 'BLUESKY',
  Mastodon: 'MASTODON',
} as const;
export type Network = (typeof Network)[keyof typeof Network];

export const NETWORKS: readonly Network[] = [Network.Bluesky, Network.Mastodon];

/** What a source of posts is on its network. */
export const SourceKind = {
  Home: 'HOME',
  Feed: 'FEED', // Bluesky feed generator
  List: 'LIST',
  Author: 'AUTHOR', // Bluesky author feed
  Hashtag: 'HASHTAG', // Mastodon followed hashtag
} as const;
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

/** Health of a linked network account, as users see it. */
export const AccountStatus = {
  Active: 'ACTIVE',
  NeedsReauth: 'NEEDS_REAUTH',
  Error: 'ERROR',
} as const;
export type AccountStatus = (typeof AccountStatus)[keyof typeof AccountStatus];
