/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AccountStatus =
  | 'ACTIVE'
  /** Syncing fails for another reason; see statusReason. */
  | 'ERROR'
  /** The network rejected the stored credentials: link the account again. */
  | 'NEEDS_REAUTH';

export type ActionKind =
  | 'BLOCK'
  | 'BOOKMARK'
  | 'DELETE'
  | 'EDIT'
  | 'FOLLOW'
  | 'LIKE'
  | 'MUTE'
  | 'POST'
  | 'QUOTE'
  | 'REPLY'
  | 'REPOST'
  | 'UNBLOCK'
  | 'UNBOOKMARK'
  | 'UNFOLLOW'
  | 'UNLIKE'
  | 'UNMUTE'
  | 'UNREPOST'
  | 'VOTE';

export type ActionStatus =
  /** The network accepted it; see resultUri / resultWebUrl. */
  | 'DONE'
  /** Given up; `error` says why. Nothing was written, or what was written is reported. */
  | 'FAILED'
  /** Accepted and queued (or being retried); not yet confirmed by the network. */
  | 'PENDING';

export type CreatePostInput = {
  /** Which linked account to post with, per network; by default the user's (oldest) account on it. */
  accounts?: Array<string | number> | null | undefined;
  /** Mastodon spoiler text. Bluesky has none: refused there. */
  contentWarning?: string | null | undefined;
  /** Post on each of these networks (one action per network). */
  crossPostTo: Array<Network>;
  /** Language code, e.g. "en" or "pt-BR". */
  language?: string | null | undefined;
  /** Images inline (Bluesky: at most 4 of 1 MB each). Or upload them first and pass mediaIds. */
  media?: Array<MediaInput> | null | undefined;
  /** Uploads to attach (uploadMedia, or POST /api/v2/media), in this order; not with `media`. */
  mediaIds?: Array<string | number> | null | undefined;
  /** A poll (Mastodon only; not with media). */
  poll?: PollInput | null | undefined;
  text: string;
};

export type Freshness =
  /** The server has no streaming API: new posts are fetched every `pollIntervalSeconds`. */
  | 'POLLING'
  /** New posts arrive as they are published (streaming API, firehose). */
  | 'STREAMING';

export type JobState =
  | 'DONE'
  | 'FAILED'
  | 'IDLE'
  | 'RUNNING';

/** An image to attach, checked against each target network's limits. */
export type MediaInput = {
  /** Description for people who cannot see the image. */
  altText?: string | null | undefined;
  /** The file, base64-encoded. */
  data: string;
  /** e.g. image/png; each network accepts its own list of types. */
  mimeType: string;
};

export type MediaType =
  | 'AUDIO'
  | 'GIFV'
  | 'IMAGE'
  | 'UNKNOWN'
  | 'VIDEO';

export type MemberStatus =
  | 'ACTIVE'
  | 'SUSPENDED';

export type Network =
  | 'BLUESKY'
  | 'MASTODON';

export type NotificationKind =
  /** A post you boosted was edited (Mastodon). */
  | 'EDIT'
  /** Someone followed you. */
  | 'FOLLOW'
  /** Someone asks to follow you (Mastodon). */
  | 'FOLLOW_REQUEST'
  /** Your post was liked (favourited). */
  | 'LIKE'
  /** A post mentions you. */
  | 'MENTION'
  /** A poll you voted in or made has ended (Mastodon). */
  | 'POLL_ENDED'
  /** Someone you asked to be notified of posted (Mastodon). */
  | 'POST'
  /** A post quotes yours. */
  | 'QUOTE'
  /** A reply to your post (Mastodon: a mention that replies). */
  | 'REPLY'
  /** Your post was reposted (boosted). */
  | 'REPOST';

export type PluginKind =
  /** Uploaded by you; runs in the sandbox with time and memory limits. */
  | 'SANDBOXED'
  /** Installed by the instance admin; runs in-process; available to every user. */
  | 'TRUSTED';

/** A poll opened with the post (Mastodon only), checked against the instance's limits. */
export type PollInput = {
  /** Seconds until it closes (the instance says how long: usually 5 minutes to a month). */
  expiresIn: number;
  /** Several options may be chosen. */
  multiple?: boolean | null | undefined;
  /** Two or more different options (the instance says how many, usually 4). */
  options: Array<string>;
};

export type RichTextSegmentType =
  | 'HASHTAG'
  | 'LINEBREAK'
  | 'LINK'
  | 'MENTION'
  | 'TEXT';

export type SourceKind =
  | 'AUTHOR'
  | 'FEED'
  | 'HASHTAG'
  | 'HOME'
  | 'LIST';

export type UserRole =
  | 'ADMIN'
  | 'MEMBER';

export type Verdict =
  | 'BLUR'
  | 'DEMOTE'
  | 'ERROR'
  | 'HIDE'
  | 'KEEP'
  | 'MERGE'
  | 'SCORE'
  | 'WARN';

export type AuthorFieldsFragment = { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean };

export type MediaFieldsFragment = { type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null };

export type PostFieldsFragment = { id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null };

export type DecisionFieldsFragment = { stage: string, index: number, verdict: Verdict, reason: string | null, score: number };

export type ItemFieldsFragment = { id: string, pipelineId: string, hidden: boolean, hiddenReason: string | null, warnings: Array<string>, reason: { at: string, by: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean } } | null, seenIn: Array<{ network: Network }>, decisions: Array<{ stage: string, index: number, verdict: Verdict, reason: string | null, score: number }>, post: { id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null } };

export type LoginMutationVariables = Exact<{
  username: string;
  password: string;
}>;


export type LoginMutation = { login: { token: string } };

export type SignUpMutationVariables = Exact<{
  invite: string;
  username: string;
  password: string;
}>;


export type SignUpMutation = { signUp: { token: string } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, username: string, role: UserRole } };

export type AccountFieldsFragment = { id: string, network: Network, handle: string, serviceUrl: string, status: AccountStatus, statusReason: string | null, statusChangedAt: string, freshness: Freshness, lastSyncedAt: string | null, stream: { live: boolean, lagSeconds: number | null, lastError: string | null } | null, sources: Array<{ id: string, kind: SourceKind, displayName: string | null, externalId: string, lastError: string | null, backfill: { state: JobState, done: number, target: number } }> };

export type LinkedAccountsQueryVariables = Exact<{ [key: string]: never; }>;


export type LinkedAccountsQuery = { linkedAccounts: Array<{ id: string, network: Network, handle: string, serviceUrl: string, status: AccountStatus, statusReason: string | null, statusChangedAt: string, freshness: Freshness, lastSyncedAt: string | null, stream: { live: boolean, lagSeconds: number | null, lastError: string | null } | null, sources: Array<{ id: string, kind: SourceKind, displayName: string | null, externalId: string, lastError: string | null, backfill: { state: JobState, done: number, target: number } }> }> };

export type LinkBlueskyMutationVariables = Exact<{
  identifier: string;
  appPassword: string;
  service?: string | null | undefined;
}>;


export type LinkBlueskyMutation = { linkBlueskyAccount: { id: string, network: Network, handle: string, serviceUrl: string, status: AccountStatus, statusReason: string | null, statusChangedAt: string, freshness: Freshness, lastSyncedAt: string | null, stream: { live: boolean, lagSeconds: number | null, lastError: string | null } | null, sources: Array<{ id: string, kind: SourceKind, displayName: string | null, externalId: string, lastError: string | null, backfill: { state: JobState, done: number, target: number } }> } };

export type StartBlueskyLinkMutationVariables = Exact<{
  identifier: string;
}>;


export type StartBlueskyLinkMutation = { startBlueskyLink: { authorizeUrl: string } };

export type CompleteBlueskyLinkMutationVariables = Exact<{
  callback: string;
}>;


export type CompleteBlueskyLinkMutation = { completeBlueskyLink: { id: string, network: Network, handle: string, serviceUrl: string, status: AccountStatus, statusReason: string | null, statusChangedAt: string, freshness: Freshness, lastSyncedAt: string | null, stream: { live: boolean, lagSeconds: number | null, lastError: string | null } | null, sources: Array<{ id: string, kind: SourceKind, displayName: string | null, externalId: string, lastError: string | null, backfill: { state: JobState, done: number, target: number } }> } };

export type LinkMastodonTokenMutationVariables = Exact<{
  instance: string;
  accessToken: string;
}>;


export type LinkMastodonTokenMutation = { linkMastodonAccount: { id: string, network: Network, handle: string, serviceUrl: string, status: AccountStatus, statusReason: string | null, statusChangedAt: string, freshness: Freshness, lastSyncedAt: string | null, stream: { live: boolean, lagSeconds: number | null, lastError: string | null } | null, sources: Array<{ id: string, kind: SourceKind, displayName: string | null, externalId: string, lastError: string | null, backfill: { state: JobState, done: number, target: number } }> } };

export type StartMastodonLinkMutationVariables = Exact<{
  instance: string;
}>;


export type StartMastodonLinkMutation = { startMastodonLink: { authorizeUrl: string, state: string } };

export type CompleteMastodonLinkMutationVariables = Exact<{
  code: string;
  state: string;
}>;


export type CompleteMastodonLinkMutation = { completeMastodonLink: { id: string, network: Network, handle: string, serviceUrl: string, status: AccountStatus, statusReason: string | null, statusChangedAt: string, freshness: Freshness, lastSyncedAt: string | null, stream: { live: boolean, lagSeconds: number | null, lastError: string | null } | null, sources: Array<{ id: string, kind: SourceKind, displayName: string | null, externalId: string, lastError: string | null, backfill: { state: JobState, done: number, target: number } }> } };

export type UnlinkAccountMutationVariables = Exact<{
  id: string | number;
}>;


export type UnlinkAccountMutation = { unlinkAccount: boolean };

export type AccountStatusChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type AccountStatusChangedSubscription = { accountStatusChanged: { id: string, network: Network, handle: string, serviceUrl: string, status: AccountStatus, statusReason: string | null, statusChangedAt: string, freshness: Freshness, lastSyncedAt: string | null, stream: { live: boolean, lagSeconds: number | null, lastError: string | null } | null, sources: Array<{ id: string, kind: SourceKind, displayName: string | null, externalId: string, lastError: string | null, backfill: { state: JobState, done: number, target: number } }> } };

export type TimelineQueryVariables = Exact<{
  pipeline?: string | number | null | undefined;
  after?: string | null | undefined;
  includeHidden: boolean;
  first: number;
}>;


export type TimelineQuery = { timeline: { edges: Array<{ cursor: string, node: { id: string, pipelineId: string, hidden: boolean, hiddenReason: string | null, warnings: Array<string>, reason: { at: string, by: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean } } | null, seenIn: Array<{ network: Network }>, decisions: Array<{ stage: string, index: number, verdict: Verdict, reason: string | null, score: number }>, post: { id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type TimelineUpdatedSubscriptionVariables = Exact<{
  pipeline?: string | number | null | undefined;
}>;


export type TimelineUpdatedSubscription = { timelineUpdated: { pipelineId: string, rebuilt: boolean, items: Array<{ id: string, pipelineId: string, hidden: boolean, hiddenReason: string | null, warnings: Array<string>, reason: { at: string, by: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean } } | null, seenIn: Array<{ network: Network }>, decisions: Array<{ stage: string, index: number, verdict: Verdict, reason: string | null, score: number }>, post: { id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null } }> } };

export type ThreadQueryVariables = Exact<{
  id: string | number;
}>;


export type ThreadQuery = { thread: { stale: boolean, staleReason: string | null, ancestors: Array<{ id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null }>, post: { id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null }, replies: Array<{ depth: number, parentId: string, post: { id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null } }> } };

export type ActionFieldsFragment = { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string };

export type RecentActionsQueryVariables = Exact<{ [key: string]: never; }>;


export type RecentActionsQuery = { actions: Array<{ id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string }> };

export type ActionUpdatedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ActionUpdatedSubscription = { actionUpdated: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type LikeMutationVariables = Exact<{
  post: string | number;
}>;


export type LikeMutation = { like: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type UnlikeMutationVariables = Exact<{
  post: string | number;
}>;


export type UnlikeMutation = { unlike: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type RepostMutationVariables = Exact<{
  post: string | number;
}>;


export type RepostMutation = { repost: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type UnrepostMutationVariables = Exact<{
  post: string | number;
}>;


export type UnrepostMutation = { unrepost: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type ReplyMutationVariables = Exact<{
  post: string | number;
  text: string;
  contentWarning?: string | null | undefined;
}>;


export type ReplyMutation = { reply: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type CreatePostMutationVariables = Exact<{
  input: CreatePostInput;
}>;


export type CreatePostMutation = { createPost: Array<{ id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string }> };

export type PipelineFieldsFragment = { id: string, name: string, isDefault: boolean, version: number, spec: unknown, updatedAt: string, rebuild: { state: JobState, done: number, total: number, error: string | null } };

export type PipelinesQueryVariables = Exact<{ [key: string]: never; }>;


export type PipelinesQuery = { pipelines: Array<{ id: string, name: string, isDefault: boolean, version: number, spec: unknown, updatedAt: string, rebuild: { state: JobState, done: number, total: number, error: string | null } }> };

export type PipelineWithVersionsQueryVariables = Exact<{
  id: string | number;
}>;


export type PipelineWithVersionsQuery = { pipeline: { id: string, name: string, isDefault: boolean, version: number, spec: unknown, updatedAt: string, versions: Array<{ version: number, createdAt: string, spec: unknown }>, rebuild: { state: JobState, done: number, total: number, error: string | null } } | null, plugins: Array<{ id: string, use: string, name: string, version: string, kind: PluginKind, configSchema: unknown }> };

export type ValidatePipelineQueryVariables = Exact<{
  spec: unknown;
}>;


export type ValidatePipelineQuery = { validatePipeline: { valid: boolean, errors: Array<{ path: string, message: string }> } };

export type PreviewPipelineQueryVariables = Exact<{
  spec: unknown;
  limit: number;
}>;


export type PreviewPipelineQuery = { previewPipeline: Array<{ hidden: boolean, hiddenReason: string | null, warnings: Array<string>, blurs: Array<string>, rankKey: number, decisions: Array<{ stage: string, index: number, verdict: Verdict, reason: string | null, score: number }>, post: { id: string, text: string, contentWarning: string | null, createdAt: string, author: { handle: string, displayName: string | null } } }> };

export type CreatePipelineMutationVariables = Exact<{
  name: string;
  spec: unknown;
}>;


export type CreatePipelineMutation = { createPipeline: { id: string, name: string, isDefault: boolean, version: number, spec: unknown, updatedAt: string, rebuild: { state: JobState, done: number, total: number, error: string | null } } };

export type UpdatePipelineMutationVariables = Exact<{
  id: string | number;
  name?: string | null | undefined;
  spec?: unknown;
}>;


export type UpdatePipelineMutation = { updatePipeline: { id: string, name: string, isDefault: boolean, version: number, spec: unknown, updatedAt: string, rebuild: { state: JobState, done: number, total: number, error: string | null } } };

export type SetDefaultPipelineMutationVariables = Exact<{
  id: string | number;
}>;


export type SetDefaultPipelineMutation = { setDefaultPipeline: { id: string } };

export type DeletePipelineMutationVariables = Exact<{
  id: string | number;
  newDefault?: string | number | null | undefined;
}>;


export type DeletePipelineMutation = { deletePipeline: boolean };

export type InvitesQueryVariables = Exact<{ [key: string]: never; }>;


export type InvitesQuery = { invites: Array<{ id: string, role: UserRole, createdAt: string, expiresAt: string, usedAt: string | null }> };

export type MemberFieldsFragment = { id: string, username: string, role: UserRole, status: MemberStatus, suspendedAt: string | null, createdAt: string, lastActiveAt: string | null, linkedAccounts: number, pipelines: number, syncHealth: Array<{ sourceId: string, accountId: string, network: string, handle: string, accountStatus: string, kind: string, externalId: string, backfillState: string, lastSyncedAt: string | null, stale: boolean, reason: string | null }> };

export type MembersQueryVariables = Exact<{ [key: string]: never; }>;


export type MembersQuery = { members: Array<{ id: string, username: string, role: UserRole, status: MemberStatus, suspendedAt: string | null, createdAt: string, lastActiveAt: string | null, linkedAccounts: number, pipelines: number, syncHealth: Array<{ sourceId: string, accountId: string, network: string, handle: string, accountStatus: string, kind: string, externalId: string, backfillState: string, lastSyncedAt: string | null, stale: boolean, reason: string | null }> }> };

export type SuspendMemberMutationVariables = Exact<{
  member: string | number;
  suspended: boolean;
}>;


export type SuspendMemberMutation = { suspendMember: { id: string, username: string, role: UserRole, status: MemberStatus, suspendedAt: string | null, createdAt: string, lastActiveAt: string | null, linkedAccounts: number, pipelines: number, syncHealth: Array<{ sourceId: string, accountId: string, network: string, handle: string, accountStatus: string, kind: string, externalId: string, backfillState: string, lastSyncedAt: string | null, stale: boolean, reason: string | null }> } };

export type DeleteMemberMutationVariables = Exact<{
  member: string | number;
}>;


export type DeleteMemberMutation = { deleteMember: boolean };

export type CreateInviteMutationVariables = Exact<{
  role: UserRole;
}>;


export type CreateInviteMutation = { createInvite: { code: string, invite: { id: string } } };

export type PluginFieldsFragment = { id: string, use: string, name: string, version: string, kind: PluginKind, packageName: string | null, configSchema: unknown, createdAt: string };

export type PluginsQueryVariables = Exact<{ [key: string]: never; }>;


export type PluginsQuery = { plugins: Array<{ id: string, use: string, name: string, version: string, kind: PluginKind, packageName: string | null, configSchema: unknown, createdAt: string }> };

export type UploadPluginMutationVariables = Exact<{
  code: string;
}>;


export type UploadPluginMutation = { uploadPlugin: { id: string, use: string, name: string, version: string, kind: PluginKind, packageName: string | null, configSchema: unknown, createdAt: string } };

export type DeletePluginMutationVariables = Exact<{
  id: string | number;
}>;


export type DeletePluginMutation = { deletePlugin: boolean };

export type NotificationGroupsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type NotificationGroupsQuery = { unreadNotificationCount: number, notificationGroups: { edges: Array<{ cursor: string, node: { key: string, kind: NotificationKind, count: number, latestAt: string, latestId: string, read: boolean, actors: Array<{ handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }>, post: { id: string, text: string, network: Network } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UnreadNotificationCountQueryVariables = Exact<{ [key: string]: never; }>;


export type UnreadNotificationCountQuery = { unreadNotificationCount: number };

export type MarkNotificationsReadMutationVariables = Exact<{
  upTo: string | number;
}>;


export type MarkNotificationsReadMutation = { markNotificationsRead: number };

export type NotificationReceivedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type NotificationReceivedSubscription = { notificationReceived: Array<{ id: string }> };

export type ProfileFieldsFragment = { network: Network, networkId: string, handle: string, displayName: string | null, bio: string, avatarUrl: string | null, bannerUrl: string | null, bot: boolean, followersCount: number | null, followingCount: number | null, postsCount: number | null, webUrl: string | null, linkedAccountId: string, relationship: { following: boolean, followedBy: boolean, muted: boolean, blocked: boolean, blockedBy: boolean } };

export type AuthorProfileQueryVariables = Exact<{
  id?: string | null | undefined;
  handle?: string | null | undefined;
}>;


export type AuthorProfileQuery = { author: { network: Network, networkId: string, handle: string, displayName: string | null, bio: string, avatarUrl: string | null, bannerUrl: string | null, bot: boolean, followersCount: number | null, followingCount: number | null, postsCount: number | null, webUrl: string | null, linkedAccountId: string, relationship: { following: boolean, followedBy: boolean, muted: boolean, blocked: boolean, blockedBy: boolean } } };

export type AuthorPostsQueryVariables = Exact<{
  author: string;
  account?: string | number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuthorPostsQuery = { authorPosts: { nextCursor: string | null, items: Array<{ repost: boolean, post: { id: string, uri: string, network: Network, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, sensitive: boolean, languages: Array<string>, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, counts: { replies: number, reposts: number, likes: number, quotes: number }, richText: Array<{ type: RichTextSegmentType, text: string, url: string | null, tag: string | null, handle: string | null, networkId: string | null }>, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null, replyParent: { uri: string, authorNetworkId: string | null, authorHandle: string | null, text: string | null } | null, quote: { uri: string, text: string, webUrl: string | null, createdAt: string, contentWarning: string | null, author: { handle: string, displayName: string | null, avatarUrl: string | null, network: Network, networkId: string, bot: boolean }, media: Array<{ type: MediaType, url: string, previewUrl: string | null, altText: string | null, width: number | null, height: number | null }>, linkCard: { url: string, title: string, description: string, imageUrl: string | null } | null } | null, quoteUnavailable: { reason: string } | null, poll: { votes: number, expired: boolean, options: Array<{ title: string, votes: number | null }> } | null } }> } };

export type FollowMutationVariables = Exact<{
  author: string;
  account?: string | number | null | undefined;
}>;


export type FollowMutation = { follow: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type UnfollowMutationVariables = Exact<{
  author: string;
  account?: string | number | null | undefined;
}>;


export type UnfollowMutation = { unfollow: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type MuteMutationVariables = Exact<{
  author: string;
  account?: string | number | null | undefined;
}>;


export type MuteMutation = { mute: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type UnmuteMutationVariables = Exact<{
  author: string;
  account?: string | number | null | undefined;
}>;


export type UnmuteMutation = { unmute: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } };

export type ActionByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type ActionByIdQuery = { action: { id: string, kind: ActionKind, network: Network, postId: string | null, status: ActionStatus, error: string | null, resultWebUrl: string | null, createdAt: string } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AuthorFieldsFragmentDoc = new TypedDocumentString(`
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}
    `, {"fragmentName":"AuthorFields"}) as unknown as TypedDocumentString<AuthorFieldsFragment, unknown>;
export const DecisionFieldsFragmentDoc = new TypedDocumentString(`
    fragment DecisionFields on Decision {
  stage
  index
  verdict
  reason
  score
}
    `, {"fragmentName":"DecisionFields"}) as unknown as TypedDocumentString<DecisionFieldsFragment, unknown>;
export const MediaFieldsFragmentDoc = new TypedDocumentString(`
    fragment MediaFields on Media {
  type
  url
  previewUrl
  altText
  width
  height
}
    `, {"fragmentName":"MediaFields"}) as unknown as TypedDocumentString<MediaFieldsFragment, unknown>;
export const PostFieldsFragmentDoc = new TypedDocumentString(`
    fragment PostFields on Post {
  id
  uri
  network
  text
  webUrl
  createdAt
  contentWarning
  sensitive
  languages
  author {
    ...AuthorFields
  }
  counts {
    replies
    reposts
    likes
    quotes
  }
  richText {
    type
    text
    url
    tag
    handle
    networkId
  }
  media {
    ...MediaFields
  }
  linkCard {
    url
    title
    description
    imageUrl
  }
  replyParent {
    uri
    authorNetworkId
    authorHandle
    text
  }
  quote {
    uri
    text
    webUrl
    createdAt
    contentWarning
    author {
      ...AuthorFields
    }
    media {
      ...MediaFields
    }
    linkCard {
      url
      title
      description
      imageUrl
    }
  }
  quoteUnavailable {
    reason
  }
  poll {
    options {
      title
      votes
    }
    votes
    expired
  }
}
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}
fragment MediaFields on Media {
  type
  url
  previewUrl
  altText
  width
  height
}`, {"fragmentName":"PostFields"}) as unknown as TypedDocumentString<PostFieldsFragment, unknown>;
export const ItemFieldsFragmentDoc = new TypedDocumentString(`
    fragment ItemFields on TimelineItem {
  id
  pipelineId
  hidden
  hiddenReason
  warnings
  reason {
    at
    by {
      ...AuthorFields
    }
  }
  seenIn {
    network
  }
  decisions {
    ...DecisionFields
  }
  post {
    ...PostFields
  }
}
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}
fragment MediaFields on Media {
  type
  url
  previewUrl
  altText
  width
  height
}
fragment PostFields on Post {
  id
  uri
  network
  text
  webUrl
  createdAt
  contentWarning
  sensitive
  languages
  author {
    ...AuthorFields
  }
  counts {
    replies
    reposts
    likes
    quotes
  }
  richText {
    type
    text
    url
    tag
    handle
    networkId
  }
  media {
    ...MediaFields
  }
  linkCard {
    url
    title
    description
    imageUrl
  }
  replyParent {
    uri
    authorNetworkId
    authorHandle
    text
  }
  quote {
    uri
    text
    webUrl
    createdAt
    contentWarning
    author {
      ...AuthorFields
    }
    media {
      ...MediaFields
    }
    linkCard {
      url
      title
      description
      imageUrl
    }
  }
  quoteUnavailable {
    reason
  }
  poll {
    options {
      title
      votes
    }
    votes
    expired
  }
}
fragment DecisionFields on Decision {
  stage
  index
  verdict
  reason
  score
}`, {"fragmentName":"ItemFields"}) as unknown as TypedDocumentString<ItemFieldsFragment, unknown>;
export const AccountFieldsFragmentDoc = new TypedDocumentString(`
    fragment AccountFields on LinkedAccount {
  id
  network
  handle
  serviceUrl
  status
  statusReason
  statusChangedAt
  freshness
  lastSyncedAt
  stream {
    live
    lagSeconds
    lastError
  }
  sources {
    id
    kind
    displayName
    externalId
    lastError
    backfill {
      state
      done
      target
    }
  }
}
    `, {"fragmentName":"AccountFields"}) as unknown as TypedDocumentString<AccountFieldsFragment, unknown>;
export const ActionFieldsFragmentDoc = new TypedDocumentString(`
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}
    `, {"fragmentName":"ActionFields"}) as unknown as TypedDocumentString<ActionFieldsFragment, unknown>;
export const PipelineFieldsFragmentDoc = new TypedDocumentString(`
    fragment PipelineFields on Pipeline {
  id
  name
  isDefault
  version
  spec
  updatedAt
  rebuild {
    state
    done
    total
    error
  }
}
    `, {"fragmentName":"PipelineFields"}) as unknown as TypedDocumentString<PipelineFieldsFragment, unknown>;
export const MemberFieldsFragmentDoc = new TypedDocumentString(`
    fragment MemberFields on Member {
  id
  username
  role
  status
  suspendedAt
  createdAt
  lastActiveAt
  linkedAccounts
  pipelines
  syncHealth {
    sourceId
    accountId
    network
    handle
    accountStatus
    kind
    externalId
    backfillState
    lastSyncedAt
    stale
    reason
  }
}
    `, {"fragmentName":"MemberFields"}) as unknown as TypedDocumentString<MemberFieldsFragment, unknown>;
export const PluginFieldsFragmentDoc = new TypedDocumentString(`
    fragment PluginFields on Plugin {
  id
  use
  name
  version
  kind
  packageName
  configSchema
  createdAt
}
    `, {"fragmentName":"PluginFields"}) as unknown as TypedDocumentString<PluginFieldsFragment, unknown>;
export const ProfileFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProfileFields on Profile {
  network
  networkId
  handle
  displayName
  bio
  avatarUrl
  bannerUrl
  bot
  followersCount
  followingCount
  postsCount
  webUrl
  linkedAccountId
  relationship {
    following
    followedBy
    muted
    blocked
    blockedBy
  }
}
    `, {"fragmentName":"ProfileFields"}) as unknown as TypedDocumentString<ProfileFieldsFragment, unknown>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password, tokenName: "web app") {
    token
  }
}
    `) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const SignUpDocument = new TypedDocumentString(`
    mutation SignUp($invite: String!, $username: String!, $password: String!) {
  signUp(
    invite: $invite
    username: $username
    password: $password
    tokenName: "web app"
  ) {
    token
  }
}
    `) as unknown as TypedDocumentString<SignUpMutation, SignUpMutationVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    id
    username
    role
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const LinkedAccountsDocument = new TypedDocumentString(`
    query LinkedAccounts {
  linkedAccounts {
    ...AccountFields
  }
}
    fragment AccountFields on LinkedAccount {
  id
  network
  handle
  serviceUrl
  status
  statusReason
  statusChangedAt
  freshness
  lastSyncedAt
  stream {
    live
    lagSeconds
    lastError
  }
  sources {
    id
    kind
    displayName
    externalId
    lastError
    backfill {
      state
      done
      target
    }
  }
}`) as unknown as TypedDocumentString<LinkedAccountsQuery, LinkedAccountsQueryVariables>;
export const LinkBlueskyDocument = new TypedDocumentString(`
    mutation LinkBluesky($identifier: String!, $appPassword: String!, $service: String) {
  linkBlueskyAccount(
    identifier: $identifier
    appPassword: $appPassword
    service: $service
  ) {
    ...AccountFields
  }
}
    fragment AccountFields on LinkedAccount {
  id
  network
  handle
  serviceUrl
  status
  statusReason
  statusChangedAt
  freshness
  lastSyncedAt
  stream {
    live
    lagSeconds
    lastError
  }
  sources {
    id
    kind
    displayName
    externalId
    lastError
    backfill {
      state
      done
      target
    }
  }
}`) as unknown as TypedDocumentString<LinkBlueskyMutation, LinkBlueskyMutationVariables>;
export const StartBlueskyLinkDocument = new TypedDocumentString(`
    mutation StartBlueskyLink($identifier: String!) {
  startBlueskyLink(identifier: $identifier) {
    authorizeUrl
  }
}
    `) as unknown as TypedDocumentString<StartBlueskyLinkMutation, StartBlueskyLinkMutationVariables>;
export const CompleteBlueskyLinkDocument = new TypedDocumentString(`
    mutation CompleteBlueskyLink($callback: String!) {
  completeBlueskyLink(callback: $callback) {
    ...AccountFields
  }
}
    fragment AccountFields on LinkedAccount {
  id
  network
  handle
  serviceUrl
  status
  statusReason
  statusChangedAt
  freshness
  lastSyncedAt
  stream {
    live
    lagSeconds
    lastError
  }
  sources {
    id
    kind
    displayName
    externalId
    lastError
    backfill {
      state
      done
      target
    }
  }
}`) as unknown as TypedDocumentString<CompleteBlueskyLinkMutation, CompleteBlueskyLinkMutationVariables>;
export const LinkMastodonTokenDocument = new TypedDocumentString(`
    mutation LinkMastodonToken($instance: String!, $accessToken: String!) {
  linkMastodonAccount(instance: $instance, accessToken: $accessToken) {
    ...AccountFields
  }
}
    fragment AccountFields on LinkedAccount {
  id
  network
  handle
  serviceUrl
  status
  statusReason
  statusChangedAt
  freshness
  lastSyncedAt
  stream {
    live
    lagSeconds
    lastError
  }
  sources {
    id
    kind
    displayName
    externalId
    lastError
    backfill {
      state
      done
      target
    }
  }
}`) as unknown as TypedDocumentString<LinkMastodonTokenMutation, LinkMastodonTokenMutationVariables>;
export const StartMastodonLinkDocument = new TypedDocumentString(`
    mutation StartMastodonLink($instance: String!) {
  startMastodonLink(instance: $instance) {
    authorizeUrl
    state
  }
}
    `) as unknown as TypedDocumentString<StartMastodonLinkMutation, StartMastodonLinkMutationVariables>;
export const CompleteMastodonLinkDocument = new TypedDocumentString(`
    mutation CompleteMastodonLink($code: String!, $state: String!) {
  completeMastodonLink(code: $code, state: $state) {
    ...AccountFields
  }
}
    fragment AccountFields on LinkedAccount {
  id
  network
  handle
  serviceUrl
  status
  statusReason
  statusChangedAt
  freshness
  lastSyncedAt
  stream {
    live
    lagSeconds
    lastError
  }
  sources {
    id
    kind
    displayName
    externalId
    lastError
    backfill {
      state
      done
      target
    }
  }
}`) as unknown as TypedDocumentString<CompleteMastodonLinkMutation, CompleteMastodonLinkMutationVariables>;
export const UnlinkAccountDocument = new TypedDocumentString(`
    mutation UnlinkAccount($id: ID!) {
  unlinkAccount(id: $id)
}
    `) as unknown as TypedDocumentString<UnlinkAccountMutation, UnlinkAccountMutationVariables>;
export const AccountStatusChangedDocument = new TypedDocumentString(`
    subscription AccountStatusChanged {
  accountStatusChanged {
    ...AccountFields
  }
}
    fragment AccountFields on LinkedAccount {
  id
  network
  handle
  serviceUrl
  status
  statusReason
  statusChangedAt
  freshness
  lastSyncedAt
  stream {
    live
    lagSeconds
    lastError
  }
  sources {
    id
    kind
    displayName
    externalId
    lastError
    backfill {
      state
      done
      target
    }
  }
}`) as unknown as TypedDocumentString<AccountStatusChangedSubscription, AccountStatusChangedSubscriptionVariables>;
export const TimelineDocument = new TypedDocumentString(`
    query Timeline($pipeline: ID, $after: String, $includeHidden: Boolean!, $first: Int!) {
  timeline(
    pipeline: $pipeline
    after: $after
    includeHidden: $includeHidden
    first: $first
  ) {
    edges {
      cursor
      node {
        ...ItemFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}
fragment MediaFields on Media {
  type
  url
  previewUrl
  altText
  width
  height
}
fragment PostFields on Post {
  id
  uri
  network
  text
  webUrl
  createdAt
  contentWarning
  sensitive
  languages
  author {
    ...AuthorFields
  }
  counts {
    replies
    reposts
    likes
    quotes
  }
  richText {
    type
    text
    url
    tag
    handle
    networkId
  }
  media {
    ...MediaFields
  }
  linkCard {
    url
    title
    description
    imageUrl
  }
  replyParent {
    uri
    authorNetworkId
    authorHandle
    text
  }
  quote {
    uri
    text
    webUrl
    createdAt
    contentWarning
    author {
      ...AuthorFields
    }
    media {
      ...MediaFields
    }
    linkCard {
      url
      title
      description
      imageUrl
    }
  }
  quoteUnavailable {
    reason
  }
  poll {
    options {
      title
      votes
    }
    votes
    expired
  }
}
fragment DecisionFields on Decision {
  stage
  index
  verdict
  reason
  score
}
fragment ItemFields on TimelineItem {
  id
  pipelineId
  hidden
  hiddenReason
  warnings
  reason {
    at
    by {
      ...AuthorFields
    }
  }
  seenIn {
    network
  }
  decisions {
    ...DecisionFields
  }
  post {
    ...PostFields
  }
}`) as unknown as TypedDocumentString<TimelineQuery, TimelineQueryVariables>;
export const TimelineUpdatedDocument = new TypedDocumentString(`
    subscription TimelineUpdated($pipeline: ID) {
  timelineUpdated(pipeline: $pipeline) {
    pipelineId
    rebuilt
    items {
      ...ItemFields
    }
  }
}
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}
fragment MediaFields on Media {
  type
  url
  previewUrl
  altText
  width
  height
}
fragment PostFields on Post {
  id
  uri
  network
  text
  webUrl
  createdAt
  contentWarning
  sensitive
  languages
  author {
    ...AuthorFields
  }
  counts {
    replies
    reposts
    likes
    quotes
  }
  richText {
    type
    text
    url
    tag
    handle
    networkId
  }
  media {
    ...MediaFields
  }
  linkCard {
    url
    title
    description
    imageUrl
  }
  replyParent {
    uri
    authorNetworkId
    authorHandle
    text
  }
  quote {
    uri
    text
    webUrl
    createdAt
    contentWarning
    author {
      ...AuthorFields
    }
    media {
      ...MediaFields
    }
    linkCard {
      url
      title
      description
      imageUrl
    }
  }
  quoteUnavailable {
    reason
  }
  poll {
    options {
      title
      votes
    }
    votes
    expired
  }
}
fragment DecisionFields on Decision {
  stage
  index
  verdict
  reason
  score
}
fragment ItemFields on TimelineItem {
  id
  pipelineId
  hidden
  hiddenReason
  warnings
  reason {
    at
    by {
      ...AuthorFields
    }
  }
  seenIn {
    network
  }
  decisions {
    ...DecisionFields
  }
  post {
    ...PostFields
  }
}`) as unknown as TypedDocumentString<TimelineUpdatedSubscription, TimelineUpdatedSubscriptionVariables>;
export const ThreadDocument = new TypedDocumentString(`
    query Thread($id: ID!) {
  thread(id: $id) {
    stale
    staleReason
    ancestors {
      ...PostFields
    }
    post {
      ...PostFields
    }
    replies {
      depth
      parentId
      post {
        ...PostFields
      }
    }
  }
}
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}
fragment MediaFields on Media {
  type
  url
  previewUrl
  altText
  width
  height
}
fragment PostFields on Post {
  id
  uri
  network
  text
  webUrl
  createdAt
  contentWarning
  sensitive
  languages
  author {
    ...AuthorFields
  }
  counts {
    replies
    reposts
    likes
    quotes
  }
  richText {
    type
    text
    url
    tag
    handle
    networkId
  }
  media {
    ...MediaFields
  }
  linkCard {
    url
    title
    description
    imageUrl
  }
  replyParent {
    uri
    authorNetworkId
    authorHandle
    text
  }
  quote {
    uri
    text
    webUrl
    createdAt
    contentWarning
    author {
      ...AuthorFields
    }
    media {
      ...MediaFields
    }
    linkCard {
      url
      title
      description
      imageUrl
    }
  }
  quoteUnavailable {
    reason
  }
  poll {
    options {
      title
      votes
    }
    votes
    expired
  }
}`) as unknown as TypedDocumentString<ThreadQuery, ThreadQueryVariables>;
export const RecentActionsDocument = new TypedDocumentString(`
    query RecentActions {
  actions(first: 100) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<RecentActionsQuery, RecentActionsQueryVariables>;
export const ActionUpdatedDocument = new TypedDocumentString(`
    subscription ActionUpdated {
  actionUpdated {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<ActionUpdatedSubscription, ActionUpdatedSubscriptionVariables>;
export const LikeDocument = new TypedDocumentString(`
    mutation Like($post: ID!) {
  like(post: $post) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<LikeMutation, LikeMutationVariables>;
export const UnlikeDocument = new TypedDocumentString(`
    mutation Unlike($post: ID!) {
  unlike(post: $post) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<UnlikeMutation, UnlikeMutationVariables>;
export const RepostDocument = new TypedDocumentString(`
    mutation Repost($post: ID!) {
  repost(post: $post) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<RepostMutation, RepostMutationVariables>;
export const UnrepostDocument = new TypedDocumentString(`
    mutation Unrepost($post: ID!) {
  unrepost(post: $post) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<UnrepostMutation, UnrepostMutationVariables>;
export const ReplyDocument = new TypedDocumentString(`
    mutation Reply($post: ID!, $text: String!, $contentWarning: String) {
  reply(post: $post, text: $text, contentWarning: $contentWarning) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<ReplyMutation, ReplyMutationVariables>;
export const CreatePostDocument = new TypedDocumentString(`
    mutation CreatePost($input: CreatePostInput!) {
  createPost(input: $input) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<CreatePostMutation, CreatePostMutationVariables>;
export const PipelinesDocument = new TypedDocumentString(`
    query Pipelines {
  pipelines {
    ...PipelineFields
  }
}
    fragment PipelineFields on Pipeline {
  id
  name
  isDefault
  version
  spec
  updatedAt
  rebuild {
    state
    done
    total
    error
  }
}`) as unknown as TypedDocumentString<PipelinesQuery, PipelinesQueryVariables>;
export const PipelineWithVersionsDocument = new TypedDocumentString(`
    query PipelineWithVersions($id: ID!) {
  pipeline(id: $id) {
    ...PipelineFields
    versions {
      version
      createdAt
      spec
    }
  }
  plugins {
    id
    use
    name
    version
    kind
    configSchema
  }
}
    fragment PipelineFields on Pipeline {
  id
  name
  isDefault
  version
  spec
  updatedAt
  rebuild {
    state
    done
    total
    error
  }
}`) as unknown as TypedDocumentString<PipelineWithVersionsQuery, PipelineWithVersionsQueryVariables>;
export const ValidatePipelineDocument = new TypedDocumentString(`
    query ValidatePipeline($spec: JSON!) {
  validatePipeline(spec: $spec) {
    valid
    errors {
      path
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ValidatePipelineQuery, ValidatePipelineQueryVariables>;
export const PreviewPipelineDocument = new TypedDocumentString(`
    query PreviewPipeline($spec: JSON!, $limit: Int!) {
  previewPipeline(spec: $spec, limit: $limit) {
    hidden
    hiddenReason
    warnings
    blurs
    rankKey
    decisions {
      ...DecisionFields
    }
    post {
      id
      text
      contentWarning
      createdAt
      author {
        handle
        displayName
      }
    }
  }
}
    fragment DecisionFields on Decision {
  stage
  index
  verdict
  reason
  score
}`) as unknown as TypedDocumentString<PreviewPipelineQuery, PreviewPipelineQueryVariables>;
export const CreatePipelineDocument = new TypedDocumentString(`
    mutation CreatePipeline($name: String!, $spec: JSON!) {
  createPipeline(name: $name, spec: $spec) {
    ...PipelineFields
  }
}
    fragment PipelineFields on Pipeline {
  id
  name
  isDefault
  version
  spec
  updatedAt
  rebuild {
    state
    done
    total
    error
  }
}`) as unknown as TypedDocumentString<CreatePipelineMutation, CreatePipelineMutationVariables>;
export const UpdatePipelineDocument = new TypedDocumentString(`
    mutation UpdatePipeline($id: ID!, $name: String, $spec: JSON) {
  updatePipeline(id: $id, name: $name, spec: $spec) {
    ...PipelineFields
  }
}
    fragment PipelineFields on Pipeline {
  id
  name
  isDefault
  version
  spec
  updatedAt
  rebuild {
    state
    done
    total
    error
  }
}`) as unknown as TypedDocumentString<UpdatePipelineMutation, UpdatePipelineMutationVariables>;
export const SetDefaultPipelineDocument = new TypedDocumentString(`
    mutation SetDefaultPipeline($id: ID!) {
  setDefaultPipeline(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<SetDefaultPipelineMutation, SetDefaultPipelineMutationVariables>;
export const DeletePipelineDocument = new TypedDocumentString(`
    mutation DeletePipeline($id: ID!, $newDefault: ID) {
  deletePipeline(id: $id, newDefault: $newDefault)
}
    `) as unknown as TypedDocumentString<DeletePipelineMutation, DeletePipelineMutationVariables>;
export const InvitesDocument = new TypedDocumentString(`
    query Invites {
  invites {
    id
    role
    createdAt
    expiresAt
    usedAt
  }
}
    `) as unknown as TypedDocumentString<InvitesQuery, InvitesQueryVariables>;
export const MembersDocument = new TypedDocumentString(`
    query Members {
  members {
    ...MemberFields
  }
}
    fragment MemberFields on Member {
  id
  username
  role
  status
  suspendedAt
  createdAt
  lastActiveAt
  linkedAccounts
  pipelines
  syncHealth {
    sourceId
    accountId
    network
    handle
    accountStatus
    kind
    externalId
    backfillState
    lastSyncedAt
    stale
    reason
  }
}`) as unknown as TypedDocumentString<MembersQuery, MembersQueryVariables>;
export const SuspendMemberDocument = new TypedDocumentString(`
    mutation SuspendMember($member: ID!, $suspended: Boolean!) {
  suspendMember(member: $member, suspended: $suspended) {
    ...MemberFields
  }
}
    fragment MemberFields on Member {
  id
  username
  role
  status
  suspendedAt
  createdAt
  lastActiveAt
  linkedAccounts
  pipelines
  syncHealth {
    sourceId
    accountId
    network
    handle
    accountStatus
    kind
    externalId
    backfillState
    lastSyncedAt
    stale
    reason
  }
}`) as unknown as TypedDocumentString<SuspendMemberMutation, SuspendMemberMutationVariables>;
export const DeleteMemberDocument = new TypedDocumentString(`
    mutation DeleteMember($member: ID!) {
  deleteMember(member: $member)
}
    `) as unknown as TypedDocumentString<DeleteMemberMutation, DeleteMemberMutationVariables>;
export const CreateInviteDocument = new TypedDocumentString(`
    mutation CreateInvite($role: UserRole!) {
  createInvite(role: $role) {
    code
    invite {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<CreateInviteMutation, CreateInviteMutationVariables>;
export const PluginsDocument = new TypedDocumentString(`
    query Plugins {
  plugins {
    ...PluginFields
  }
}
    fragment PluginFields on Plugin {
  id
  use
  name
  version
  kind
  packageName
  configSchema
  createdAt
}`) as unknown as TypedDocumentString<PluginsQuery, PluginsQueryVariables>;
export const UploadPluginDocument = new TypedDocumentString(`
    mutation UploadPlugin($code: String!) {
  uploadPlugin(code: $code) {
    ...PluginFields
  }
}
    fragment PluginFields on Plugin {
  id
  use
  name
  version
  kind
  packageName
  configSchema
  createdAt
}`) as unknown as TypedDocumentString<UploadPluginMutation, UploadPluginMutationVariables>;
export const DeletePluginDocument = new TypedDocumentString(`
    mutation DeletePlugin($id: ID!) {
  deletePlugin(id: $id)
}
    `) as unknown as TypedDocumentString<DeletePluginMutation, DeletePluginMutationVariables>;
export const NotificationGroupsDocument = new TypedDocumentString(`
    query NotificationGroups($after: String) {
  notificationGroups(first: 20, after: $after) {
    edges {
      cursor
      node {
        key
        kind
        count
        latestAt
        latestId
        read
        actors {
          ...AuthorFields
        }
        post {
          id
          text
          network
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  unreadNotificationCount
}
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}`) as unknown as TypedDocumentString<NotificationGroupsQuery, NotificationGroupsQueryVariables>;
export const UnreadNotificationCountDocument = new TypedDocumentString(`
    query UnreadNotificationCount {
  unreadNotificationCount
}
    `) as unknown as TypedDocumentString<UnreadNotificationCountQuery, UnreadNotificationCountQueryVariables>;
export const MarkNotificationsReadDocument = new TypedDocumentString(`
    mutation MarkNotificationsRead($upTo: ID!) {
  markNotificationsRead(upTo: $upTo)
}
    `) as unknown as TypedDocumentString<MarkNotificationsReadMutation, MarkNotificationsReadMutationVariables>;
export const NotificationReceivedDocument = new TypedDocumentString(`
    subscription NotificationReceived {
  notificationReceived {
    id
  }
}
    `) as unknown as TypedDocumentString<NotificationReceivedSubscription, NotificationReceivedSubscriptionVariables>;
export const AuthorProfileDocument = new TypedDocumentString(`
    query AuthorProfile($id: String, $handle: String) {
  author(id: $id, handle: $handle) {
    ...ProfileFields
  }
}
    fragment ProfileFields on Profile {
  network
  networkId
  handle
  displayName
  bio
  avatarUrl
  bannerUrl
  bot
  followersCount
  followingCount
  postsCount
  webUrl
  linkedAccountId
  relationship {
    following
    followedBy
    muted
    blocked
    blockedBy
  }
}`) as unknown as TypedDocumentString<AuthorProfileQuery, AuthorProfileQueryVariables>;
export const AuthorPostsDocument = new TypedDocumentString(`
    query AuthorPosts($author: String!, $account: ID, $after: String) {
  authorPosts(author: $author, account: $account, after: $after, first: 20) {
    items {
      repost
      post {
        ...PostFields
      }
    }
    nextCursor
  }
}
    fragment AuthorFields on Author {
  handle
  displayName
  avatarUrl
  network
  networkId
  bot
}
fragment MediaFields on Media {
  type
  url
  previewUrl
  altText
  width
  height
}
fragment PostFields on Post {
  id
  uri
  network
  text
  webUrl
  createdAt
  contentWarning
  sensitive
  languages
  author {
    ...AuthorFields
  }
  counts {
    replies
    reposts
    likes
    quotes
  }
  richText {
    type
    text
    url
    tag
    handle
    networkId
  }
  media {
    ...MediaFields
  }
  linkCard {
    url
    title
    description
    imageUrl
  }
  replyParent {
    uri
    authorNetworkId
    authorHandle
    text
  }
  quote {
    uri
    text
    webUrl
    createdAt
    contentWarning
    author {
      ...AuthorFields
    }
    media {
      ...MediaFields
    }
    linkCard {
      url
      title
      description
      imageUrl
    }
  }
  quoteUnavailable {
    reason
  }
  poll {
    options {
      title
      votes
    }
    votes
    expired
  }
}`) as unknown as TypedDocumentString<AuthorPostsQuery, AuthorPostsQueryVariables>;
export const FollowDocument = new TypedDocumentString(`
    mutation Follow($author: String!, $account: ID) {
  follow(author: $author, account: $account) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<FollowMutation, FollowMutationVariables>;
export const UnfollowDocument = new TypedDocumentString(`
    mutation Unfollow($author: String!, $account: ID) {
  unfollow(author: $author, account: $account) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<UnfollowMutation, UnfollowMutationVariables>;
export const MuteDocument = new TypedDocumentString(`
    mutation Mute($author: String!, $account: ID) {
  mute(author: $author, account: $account) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<MuteMutation, MuteMutationVariables>;
export const UnmuteDocument = new TypedDocumentString(`
    mutation Unmute($author: String!, $account: ID) {
  unmute(author: $author, account: $account) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<UnmuteMutation, UnmuteMutationVariables>;
export const ActionByIdDocument = new TypedDocumentString(`
    query ActionById($id: ID!) {
  action(id: $id) {
    ...ActionFields
  }
}
    fragment ActionFields on Action {
  id
  kind
  network
  postId
  status
  error
  resultWebUrl
  createdAt
}`) as unknown as TypedDocumentString<ActionByIdQuery, ActionByIdQueryVariables>;