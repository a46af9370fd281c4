// The parts of Mastodon's REST entities this connector reads, in the wire's snake_case. Everything
// is optional or nullable on purpose: real servers differ from the description (FACTS.md), so the
// normalizer checks each field at run time instead of trusting these types.

export interface MastodonAccount {
  id?: string;
  username?: string;
  acct?: string;
  url?: string | null;
  uri?: string;
  display_name?: string;
  avatar?: string;
  avatar_static?: string;
  bot?: boolean;
}

export interface MastodonMediaAttachment {
  id?: string;
  type?: string;
  url?: string | null;
  preview_url?: string | null;
  remote_url?: string | null;
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
  filter?: { id?: string; title?: string; filter_action?: string };
  keyword_matches?: string[] | null;
  status_matches?: string[] | null;
}

export interface MastodonQuote {
  state?: string;
  quoted_status?: MastodonStatus | null;
  quoted_status_id?: string | null;
}

export interface MastodonStatus {
  id?: string;
  uri?: string;
  url?: string | null;
  created_at?: string;
  edited_at?: string | null;
  account?: MastodonAccount;
  content?: string;
  text?: string | null;
  spoiler_text?: string;
  sensitive?: boolean;
  visibility?: string;
  language?: string | null;
  in_reply_to_id?: string | null;
  in_reply_to_account_id?: string | null;
  reblog?: MastodonStatus | null;
  quote?: MastodonQuote | null;
  media_attachments?: MastodonMediaAttachment[];
  mentions?: { id?: string; username?: string; acct?: string; url?: string }[];
  tags?: { name?: string; url?: string }[];
  card?: MastodonPreviewCard | null;
  replies_count?: number;
  reblogs_count?: number;
  favourites_count?: number;
  quotes_count?: number | null;
  filtered?: MastodonFilterResult[] | null;
}

export interface MastodonList {
  id: string;
  title: string;
}

export interface MastodonTag {
  id?: string;
  name: string;
  url?: string;
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
