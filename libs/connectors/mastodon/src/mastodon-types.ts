// The parts of Mastodon's REST entities this connector reads, in the camelCase shape masto hands
// them over in (the streaming connection is parsed into the same shape, masto-shape.ts). Everything
// is optional or nullable on purpose: real servers differ from the description (FACTS.md), so the
// normalizer checks each field at run time instead of trusting these types.

export interface MastodonAccount {
  id?: string;
  username?: string;
  acct?: string;
  url?: string | null;
  uri?: string;
  displayName?: string;
  avatar?: string;
  avatarStatic?: string;
  bot?: boolean;
}

export interface MastodonMediaAttachment {
  id?: string;
  type?: string;
  url?: string | null;
  previewUrl?: string | null;
  remoteUrl?: string | null;
  description?: string | null;
  blurhash?: string | null;
  meta?: {
    original?: { width?: number | null; height?: number | null } | null;
    small?: { width?: number | null; height?: number | null } | null;
    focus?: { x?: number | null; y?: number | null } | null;
  } | null;
}

export interface MastodonPreviewCard {
  url?: string;
  title?: string;
  description?: string;
  image?: string | null;
}

export interface MastodonFilterResult {
  filter?: { id?: string; title?: string; filterAction?: string };
  keywordMatches?: string[] | null;
  statusMatches?: string[] | null;
}

export interface MastodonQuote {
  state?: string;
  quotedStatus?: MastodonStatus | null;
  quotedStatusId?: string | null;
}

export interface MastodonStatus {
  id?: string;
  uri?: string;
  url?: string | null;
  createdAt?: string;
  editedAt?: string | null;
  account?: MastodonAccount;
  content?: string;
  text?: string | null;
  spoilerText?: string;
  sensitive?: boolean;
  visibility?: string;
  language?: string | null;
  inReplyToId?: string | null;
  inReplyToAccountId?: string | null;
  reblog?: MastodonStatus | null;
  /** Mastodon ≥ 4.4: a `Quote`; other servers: the quoted status itself, with `quoteId`. */
  quote?: MastodonQuote | MastodonStatus | null;
  quoteId?: string | null;
  /** Read by normalizePoll, which checks every field. */
  poll?: unknown;
  mediaAttachments?: MastodonMediaAttachment[];
  mentions?: { id?: string; username?: string; acct?: string; url?: string }[];
  tags?: { name?: string; url?: string }[];
  card?: MastodonPreviewCard | null;
  repliesCount?: number;
  reblogsCount?: number;
  favouritesCount?: number;
  quotesCount?: number | null;
  filtered?: MastodonFilterResult[] | null;
  /** The reading account's own relation to the status (authenticated requests only). */
  favourited?: boolean | null;
  reblogged?: boolean | null;
  bookmarked?: boolean | null;
}

/** A registered OAuth application (POST /api/v1/apps); persist it per instance and reuse it. */
export interface MastodonApp {
  instanceOrigin: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: string;
}

/** The account a token belongs to (GET /api/v1/accounts/verify_credentials), normalized. */
export interface MastodonCredentials {
  id: string;
  acct: string;
  /** `user@instance`, always with the instance. */
  handle: string;
  uri: string;
  displayName: string | null;
  avatarUrl: string | null;
}
