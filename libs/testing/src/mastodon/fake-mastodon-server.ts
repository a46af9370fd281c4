// An in-memory Mastodon for integration tests: REST, OAuth and the streaming API over real HTTP
// and WebSocket on 127.0.0.1. It serves only operations that exist in the contract and validates
// every response (and streamed event) against it: a violation is recorded in `violations` and
// answered with 500, so a test that ignored it still fails on the connector side. A personality
// (personalities.ts) makes it behave like another Mastodon-API server where those differ.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { OpenApiValidator } from './openapi-validator.js';
import type { ServerPersonality } from './personalities.js';
import { MASTODON_4_5, compareIds, externalId } from './personalities.js';

type Obj = Record<string, unknown>;

export interface FakeAccount {
  id: string;
  username: string;
  displayName: string;
  bot: boolean;
  /** What a hostile server claims: another server's account URI, an avatar of its choosing. */
  uri?: string;
  avatar?: string;
  /** The bio as plain text (rendered as a paragraph). */
  note?: string;
}

export interface FakeMedia {
  type?: 'image' | 'video' | 'gifv' | 'audio';
  description?: string | null;
  focus?: { x: number; y: number };
  width?: number;
  height?: number;
}

export interface FakeCard {
  url: string;
  title: string;
  description?: string;
  image?: string | null;
}

export interface FakePostInput {
  /** Raw HTML content, sent as is (hostile HTML included). Defaults to `<p>text</p>`. */
  html?: string;
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  visibility?: 'public' | 'unlisted' | 'private' | 'direct';
  inReplyTo?: string;
  quoteOf?: string;
  /** Who may quote it (Mastodon 4.5's quote policies): anyone (default) or its author alone. */
  quotePolicy?: 'public' | 'nobody';
  tags?: string[];
  mentions?: string[]; // account ids
  media?: FakeMedia[];
  card?: FakeCard;
  /** A poll (its id is the status id); `expiresAt` in the past makes it expired. */
  poll?: { options: string[]; multiple?: boolean; expiresAt?: string | null };
  /** A hostile server's claims: another server's status URI, counts of its choosing. */
  uri?: string;
  counts?: { replies?: number; reblogs?: number; favourites?: number };
}

/** A kind of timeline (home, list, hashtag) that can list a deleted status for a while. */
export type StaleTimeline = 'home' | 'list' | 'tag';

interface StoredStatus {
  id: number;
  /** The id clients see (the personality's kind of id). */
  ext: string;
  accountId: string;
  createdAt: string;
  input: FakePostInput;
  reblogOf: number | null;
  deleted: boolean;
  /** Timelines that still list it though it was deleted (see deleteStatus). */
  staleIn: readonly StaleTimeline[];
  editedAt: string | null;
  /** Poll votes by account id: the chosen option indexes. */
  pollVotes: Map<string, number[]>;
  favouritedBy: Set<string>;
  /** Accounts that bookmarked it, newest last (`/api/v1/bookmarks` lists them newest first). */
  bookmarkedBy: Set<string>;
}

/** A notification of `recipient`: `from` did `type` (to `statusId`, where there is one). */
interface StoredNotification {
  id: number;
  ext: string;
  recipient: string;
  from: string;
  type: 'mention' | 'reblog' | 'favourite' | 'follow' | 'quote' | 'poll' | 'update';
  statusId: number | null;
  createdAt: string;
}

/** A file a client uploaded through `/api/v2/media`, as the server received it. */
export interface FakeUpload {
  id: string;
  accountId: string;
  mimeType: string;
  bytes: Buffer;
  description: string | null;
  statusId: string | null;
  /** `GET /api/v1/media/:id` answers 206 (still processing) this many more times before 200. */
  processingPolls: number;
}

interface FakeApp {
  id: string;
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: string[];
}

interface Filter {
  id: string;
  accountId: string;
  title: string;
  keyword: string;
  action: 'warn' | 'hide' | 'blur';
}

interface Fault {
  status: 401 | 429 | 503;
  resetInSeconds: number;
  /** Only requests whose path starts with this (default: every REST request). */
  pathPrefix: string;
}

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  params: string[];
  auth: boolean;
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

interface Ctx {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  body: Obj;
  account: FakeAccount | null;
  token: string | null;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface StreamClient {
  ws: WebSocket;
  accountId: string;
  stream: string;
  param: string | null;
}

const err = (status: number, error: string): Reply => ({ status, body: { error } });

export class FakeMastodonServer {
  readonly validator: OpenApiValidator;
  /** Every description violation this server caught (in a response, request or streamed event). */
  readonly violations: string[] = [];
  /** Every REST request and streaming upgrade, for assertions about what the client sent. */
  readonly requests: { method: string; path: string; query: Record<string, string> }[] = [];
  /** Registered OAuth applications. */
  readonly apps: FakeApp[] = [];
  rateLimit = 300;
  /**
   * Uploads answer 202 and stay "processing" for this many polls of `GET /api/v1/media/:id`, as a
   * real instance does with large files (0: processed at once, 200).
   */
  mediaProcessingPolls = 0;

  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  private readonly routes: Route[] = [];
  private readonly accounts = new Map<string, FakeAccount>();
  /** `clientId`: the app the token was issued to through OAuth; settings tokens have none here. */
  private readonly tokens = new Map<string, { accountId: string; scopes: string[]; clientId?: string }>();
  private readonly codes = new Map<
    string,
    { accountId: string; clientId: string; redirectUri: string; challenge: string | null; scopes: string[] }
  >();
  private readonly statuses = new Map<number, StoredStatus>();
  /** Every bookmark made, oldest first (an account's list is its live ones, newest first). */
  private readonly bookmarkOrder: { account: string; statusId: number }[] = [];
  private readonly byExt = new Map<string, StoredStatus>();
  private readonly follows = new Map<string, Set<string>>();
  private readonly mutes = new Map<string, Set<string>>();
  private readonly blocks = new Map<string, Set<string>>();
  private readonly followedTags = new Map<string, Set<string>>();
  private readonly lists = new Map<
    string,
    { id: string; accountId: string; title: string; members: Set<string> }
  >();
  private readonly filters: Filter[] = [];
  private readonly idempotency = new Map<string, number>();
  private readonly budgets = new Map<string, { remaining: number; resetAt: number }>();
  private readonly faults: Fault[] = [];
  private readonly counts = new Map<string, number>();
  private readonly streams = new Set<StreamClient>();
  /** Uploaded media by id; `statusId` once a status uses it. */
  readonly uploads = new Map<string, FakeUpload>();
  /** Read markers by account and timeline (`home`, `notifications`). */
  private readonly markers = new Map<string, { last_read_id: string; version: number; updated_at: string }>();
  private readonly notifications: StoredNotification[] = [];
  private nextNotificationId = 98;
  private nextStatusId = 98; // crosses 99 → 100 early: ids compared as strings would sort wrong
  private nextId = 1;
  private streamingDown = false;
  origin = '';

  private constructor(readonly personality: ServerPersonality) {
    this.validator = new OpenApiValidator();
    this.defineRoutes();
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  static async start(personality: ServerPersonality = MASTODON_4_5): Promise<FakeMastodonServer> {
    const s = new FakeMastodonServer(personality);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.origin = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** `127.0.0.1:<port>`, for the connector's allow-list. */
  get host(): string {
    return new URL(this.origin).host;
  }

  async close(): Promise<void> {
    for (const c of this.streams) c.ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- state helpers -------------------------------------------------------------------------

  /** An upload as a MediaAttachment: without its URLs while the instance is still processing it. */
  private renderUpload(u: FakeUpload): Record<string, unknown> {
    const done = u.processingPolls === 0;
    return {
      id: u.id,
      type: 'image',
      url: done ? `${this.origin}/media/uploads/${u.id}.png` : null,
      preview_url: done ? `${this.origin}/media/uploads/${u.id}-small.png` : null,
      remote_url: null,
      text_url: null,
      meta: done
        ? { original: { width: 640, height: 480, size: '640x480', aspect: 1.3333333333333333 } }
        : null,
      description: u.description,
      blurhash: done ? 'UeKUpFxuo~R%0nW;WCnhF6RjaJt757oJodS$' : null,
    };
  }

  createAccount(
    username: string,
    options: { displayName?: string; bot?: boolean; uri?: string; avatar?: string; note?: string } = {},
  ): FakeAccount {
    const account: FakeAccount = {
      id: String(this.nextId++),
      username,
      displayName: options.displayName ?? username,
      bot: options.bot ?? false,
      ...(options.uri ? { uri: options.uri } : {}),
      ...(options.avatar ? { avatar: options.avatar } : {}),
      ...(options.note ? { note: options.note } : {}),
    };
    this.accounts.set(account.id, account);
    return account;
  }

  /** A token as a user creates one in the settings (every scope unless told otherwise). */
  issueToken(
    account: FakeAccount,
    scopes: string[] = ['read', 'write', 'follow', 'push'],
    clientId?: string,
  ): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { accountId: account.id, scopes, ...(clientId ? { clientId } : {}) });
    return token;
  }

  /** Whether `token` is still accepted. */
  isTokenValid(token: string): boolean {
    return this.tokens.has(token);
  }

  revokeTokens(account: FakeAccount): void {
    for (const [t, granted] of this.tokens) if (granted.accountId === account.id) this.tokens.delete(t);
  }

  follow(follower: FakeAccount, followee: FakeAccount): void {
    const follows = this.setOf(this.follows, follower.id);
    if (follows.has(followee.id)) return;
    follows.add(followee.id);
    this.notify(followee.id, follower.id, 'follow', null);
  }

  /** How `a` stands with `b`, as the instance keeps it. */
  relationship(a: FakeAccount, b: FakeAccount): { following: boolean; muting: boolean; blocking: boolean } {
    return {
      following: !!this.follows.get(a.id)?.has(b.id),
      muting: !!this.mutes.get(a.id)?.has(b.id),
      blocking: !!this.blocks.get(a.id)?.has(b.id),
    };
  }

  private renderRelationship(me: string, other: string): Obj {
    const has = (map: Map<string, Set<string>>, a: string, b: string) => !!map.get(a)?.has(b);
    return {
      id: other,
      following: has(this.follows, me, other),
      showing_reblogs: has(this.follows, me, other),
      notifying: false,
      languages: null,
      followed_by: has(this.follows, other, me),
      blocking: has(this.blocks, me, other),
      blocked_by: has(this.blocks, other, me),
      muting: has(this.mutes, me, other),
      muting_notifications: has(this.mutes, me, other),
      muting_expires_at: null,
      requested: false,
      requested_by: false,
      domain_blocking: false,
      endorsed: false,
      note: '',
    };
  }

  /** The account `acct` names on this instance (`user`, or `user@host` with this host). */
  private lookup(acct: string): FakeAccount | undefined {
    const local = acct.replace(/^@/, '').replace(new RegExp(`@${this.host.replace(/[.]/g, '\\.')}$`), '');
    return [...this.accounts.values()].find((a) => a.username === local);
  }

  private accountUri(a: FakeAccount): string {
    return a.uri ?? `${this.origin}/users/${a.username}`;
  }

  /** Favourites a status as `account` would (notifying its author). */
  favourite(account: FakeAccount, statusId: string): void {
    const s = this.find(statusId);
    if (!s) throw new Error(`no status ${statusId}`);
    this.favouriteStatus(s, account.id);
  }

  private favouriteStatus(s: StoredStatus, by: string): void {
    if (s.favouritedBy.has(by)) return;
    s.favouritedBy.add(by);
    this.notify(s.accountId, by, 'favourite', s.id);
  }

  /** Every notification of `account`, newest first, as the API renders them. */
  notificationsOf(account: FakeAccount): Obj[] {
    return this.notifications
      .filter((n) => n.recipient === account.id)
      .sort((a, b) => b.id - a.id)
      .map((n) => this.renderNotification(n));
  }

  /** Stores a notification and streams it to the recipient's user streams. Nobody is told of their own acts. */
  private notify(
    recipient: string,
    from: string,
    type: StoredNotification['type'],
    statusId: number | null,
  ): void {
    if (recipient === from) return;
    const id = this.nextNotificationId++;
    const n: StoredNotification = {
      id,
      ext: externalId(this.personality, id),
      recipient,
      from,
      type,
      statusId,
      createdAt: new Date().toISOString(),
    };
    this.notifications.push(n);
    this.emit((c) => c.accountId === recipient && c.stream === 'user', 'notification', n);
  }

  private renderNotification(n: StoredNotification): Obj {
    const status = n.statusId === null ? undefined : this.statuses.get(n.statusId);
    return {
      id: n.ext,
      type: n.type,
      created_at: n.createdAt,
      group_key: `ungrouped-${n.ext}`,
      account: this.renderAccount(this.accounts.get(n.from) as FakeAccount),
      status: status && !status.deleted ? this.renderStatus(status, n.recipient) : null,
    };
  }

  followTag(account: FakeAccount, tag: string): void {
    this.setOf(this.followedTags, account.id).add(tag.toLowerCase());
  }

  createList(owner: FakeAccount, title: string, members: FakeAccount[]): string {
    const id = String(this.nextId++);
    this.lists.set(id, { id, accountId: owner.id, title, members: new Set(members.map((m) => m.id)) });
    return id;
  }

  addFilter(owner: FakeAccount, title: string, keyword: string, action: 'warn' | 'hide' | 'blur'): void {
    this.filters.push({ id: String(this.nextId++), accountId: owner.id, title, keyword, action });
  }

  /** Publishes a status and streams it to every home/list/hashtag stream it belongs to. */
  post(author: FakeAccount, input: FakePostInput): string {
    const s = this.store(author.id, input, null);
    this.fanOut(s);
    return s.ext;
  }

  boost(booster: FakeAccount, statusId: string): string {
    const target = this.find(statusId);
    if (!target) throw new Error(`no status ${statusId}`);
    const s = this.store(booster.id, {}, target.id);
    this.fanOut(s);
    return s.ext;
  }

  /** Edits a status (its text, content warning…) as its author would, streaming `status.update`. */
  editStatus(statusId: string, changes: Partial<FakePostInput>): void {
    const s = this.find(statusId);
    if (!s) throw new Error(`no status ${statusId}`);
    s.input = { ...s.input, ...changes };
    s.editedAt = new Date().toISOString();
    this.fanOut(s, 'status.update');
  }

  /**
   * Deletes a status as its author would, streaming `delete` to whoever could see it. With
   * `staleIn`, those timelines still list it (it answers 404 by id): what a page read just before
   * the delete holds, or a feed the server cleans up later.
   */
  deleteStatus(statusId: string, options: { staleIn?: readonly StaleTimeline[] } = {}): void {
    const s = this.find(statusId);
    if (!s) return;
    this.remove(s);
    s.staleIn = options.staleIn ?? [];
  }

  private remove(s: StoredStatus): void {
    // Whoever could see it is told, so the recipients are chosen before it disappears.
    const recipients = new Set([...this.streams].filter((c) => this.inHomeOf(c, s) || c.stream !== 'user'));
    s.deleted = true;
    this.emit((c) => recipients.has(c), 'delete', s.ext);
  }

  /** A status by the id clients see. */
  private find(id: string | undefined): StoredStatus | undefined {
    return id === undefined ? undefined : this.byExt.get(id);
  }

  /** The home timeline read marker a client saved for `account`, if any. */
  homeMarker(account: FakeAccount): { lastReadId: string; version: number } | null {
    return this.marker(account, 'home');
  }

  /** The read marker a client saved for one of `account`'s timelines (`home`, `notifications`). */
  marker(
    account: FakeAccount,
    timeline: 'home' | 'notifications',
  ): { lastReadId: string; version: number } | null {
    const m = this.markers.get(`${account.id}:${timeline}`);
    return m ? { lastReadId: m.last_read_id, version: m.version } : null;
  }

  /** The next `times` REST requests (optionally only under `pathPrefix`) fail with `status`. */
  failNext(
    status: 401 | 429 | 503,
    options: { times?: number; resetInSeconds?: number; pathPrefix?: string } = {},
  ): void {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.faults.push({
        status,
        resetInSeconds: options.resetInSeconds ?? 60,
        pathPrefix: options.pathPrefix ?? '/',
      });
    }
  }

  /** Cuts every open stream; with `stayDown`, refuses new ones until `restoreStreaming()`. */
  dropStreams(options: { stayDown?: boolean } = {}): void {
    this.streamingDown = options.stayDown ?? false;
    for (const c of this.streams) c.ws.terminate();
    this.streams.clear();
  }

  restoreStreaming(): void {
    this.streamingDown = false;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Plays the user's part of the OAuth flow: approves the authorize URL, returns the code. */
  approve(authorizeUrl: string, account: FakeAccount): { code: string; state: string | null } {
    const url = new URL(authorizeUrl);
    const app = this.apps.find((a) => a.clientId === url.searchParams.get('client_id'));
    if (!app) throw new Error('authorize: unknown client_id');
    // The token gets the scopes asked for here, which must be among the app's (Doorkeeper's rule).
    const scopes = (url.searchParams.get('scope') ?? app.scopes.join(' ')).split(/[\s+]+/).filter(Boolean);
    if (scopes.some((sc) => !app.scopes.includes(sc))) throw new Error('authorize: scope not registered');
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    if (!app.redirectUris.includes(redirectUri)) throw new Error('authorize: redirect_uri not registered');
    if (url.searchParams.get('response_type') !== 'code')
      throw new Error('authorize: response_type must be code');
    const code = randomBytes(16).toString('hex');
    const method = url.searchParams.get('code_challenge_method');
    if (url.searchParams.has('code_challenge') && method !== 'S256')
      throw new Error('authorize: only S256 PKCE');
    this.codes.set(code, {
      accountId: account.id,
      clientId: app.clientId,
      redirectUri,
      challenge: url.searchParams.get('code_challenge'),
      scopes,
    });
    return { code, state: url.searchParams.get('state') };
  }

  /** Sends a raw value as a streamed status, validated like everything else (for validator tests). */
  streamRaw(account: FakeAccount, status: unknown): void {
    this.emit((c) => c.accountId === account.id && c.stream === 'user', 'update', status);
  }

  // ---- rendering -----------------------------------------------------------------------------

  private setOf(map: Map<string, Set<string>>, key: string): Set<string> {
    let s = map.get(key);
    if (!s) map.set(key, (s = new Set()));
    return s;
  }

  private store(accountId: string, input: FakePostInput, reblogOf: number | null): StoredStatus {
    const id = this.nextStatusId++;
    const s: StoredStatus = {
      id,
      ext: externalId(this.personality, id),
      accountId,
      createdAt: new Date().toISOString(),
      input,
      reblogOf,
      deleted: false,
      staleIn: [],
      editedAt: null,
      pollVotes: new Map(),
      favouritedBy: new Set(),
      bookmarkedBy: new Set(),
    };
    this.statuses.set(s.id, s);
    this.byExt.set(s.ext, s);
    const parent = this.find(input.inReplyTo);
    const quoted = this.find(input.quoteOf);
    if (parent) this.bump('replies', parent.id);
    if (quoted) this.bump('quotes', quoted.id);
    if (reblogOf !== null) this.bump('reblogs', reblogOf);
    // Mastodon notifies the mentioned (a reply mentions the parent's author), the quoted and the boosted.
    if (reblogOf !== null) {
      this.notify((this.statuses.get(reblogOf) as StoredStatus).accountId, accountId, 'reblog', reblogOf);
    } else {
      const mentioned = new Set(input.mentions ?? []);
      if (parent) mentioned.add(parent.accountId);
      for (const m of mentioned) this.notify(m, accountId, 'mention', s.id);
      if (quoted && !mentioned.has(quoted.accountId)) this.notify(quoted.accountId, accountId, 'quote', s.id);
    }
    return s;
  }

  private bump(kind: string, id: number): void {
    this.counts.set(`${kind}:${id}`, this.counter(kind, id) + 1);
  }

  private counter(kind: string, id: number): number {
    return this.counts.get(`${kind}:${id}`) ?? 0;
  }

  private renderAccount(a: FakeAccount): Obj {
    const url = `${this.origin}/@${a.username}`;
    return {
      id: a.id,
      username: a.username,
      acct: a.username,
      display_name: a.displayName,
      locked: false,
      bot: a.bot,
      discoverable: true,
      ...(this.personality.accounts === 'full'
        ? { indexable: true, group: false, uri: a.uri ?? `${this.origin}/users/${a.username}` }
        : {}),
      created_at: '2024-01-01T00:00:00.000Z',
      note: `<p>${(a.note ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`,
      url,
      avatar: a.avatar ?? `${this.origin}/avatars/${a.id}.png`,
      avatar_static: a.avatar ?? `${this.origin}/avatars/${a.id}.png`,
      header: `${this.origin}/headers/missing.png`,
      header_static: `${this.origin}/headers/missing.png`,
      followers_count: [...this.follows.values()].filter((f) => f.has(a.id)).length,
      following_count: this.follows.get(a.id)?.size ?? 0,
      statuses_count: [...this.statuses.values()].filter((s) => s.accountId === a.id && !s.deleted).length,
      last_status_at: null,
      emojis: [],
      fields: [],
    };
  }

  /** `by`'s live boost of `s`. */
  private boostOf(s: StoredStatus, by: string): StoredStatus | undefined {
    return [...this.statuses.values()].find((x) => x.reblogOf === s.id && x.accountId === by && !x.deleted);
  }

  private renderStatus(s: StoredStatus, viewer: string | null, depth = 0): Obj {
    const account = this.accounts.get(s.accountId) as FakeAccount;
    const base = {
      id: s.ext,
      created_at: s.createdAt,
      uri: this.statusUri(s),
      url: `${this.origin}/@${account.username}/${s.ext}`,
      account: this.renderAccount(account),
      visibility: s.input.visibility ?? 'public',
      emojis: [],
      favourited: viewer ? s.favouritedBy.has(viewer) : false,
      reblogged: viewer ? this.boostOf(s, viewer) !== undefined : false,
      muted: false,
      bookmarked: viewer ? s.bookmarkedBy.has(viewer) : false,
      edited_at: s.editedAt,
    };
    if (s.reblogOf !== null) {
      const target = this.statuses.get(s.reblogOf) as StoredStatus;
      return {
        ...base,
        in_reply_to_id: null,
        in_reply_to_account_id: null,
        reblog: this.renderStatus(target, viewer),
        content: '',
        spoiler_text: '',
        sensitive: false,
        language: null,
        media_attachments: [],
        mentions: [],
        tags: [],
        card: null,
        poll: null,
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        quotes_count: 0,
        quote: null,
        filtered: this.filterResults(target, viewer),
      };
    }
    const i = s.input;
    const parent = this.find(i.inReplyTo);
    const quoted = this.find(i.quoteOf);
    const text = i.text ?? '';
    const tags = (i.tags ?? []).map((t) => t.toLowerCase());
    return {
      ...base,
      content: i.html ?? this.renderText(text),
      spoiler_text: i.spoilerText ?? '',
      sensitive: i.sensitive ?? false,
      language: i.language === undefined ? 'en' : i.language,
      in_reply_to_id: parent ? parent.ext : null,
      in_reply_to_account_id: parent ? parent.accountId : null,
      reblog: null,
      application: { name: 'Web', website: null },
      media_attachments: (i.media ?? []).map((m, n) => ({
        id: `${s.id}${n}`,
        type: m.type ?? 'image',
        url: `${this.origin}/media/${s.id}-${n}.png`,
        preview_url: `${this.origin}/media/${s.id}-${n}-small.png`,
        remote_url: null,
        preview_remote_url: null,
        text_url: null,
        description: m.description ?? null,
        blurhash: 'UeKUpFxuo~R%0nW;WCnhF6RjaJt757oJodS$',
        meta: {
          original: {
            width: m.width ?? 640,
            height: m.height ?? 480,
            size: '640x480',
            aspect: 1.3333333333333333,
          },
          small: { width: 400, height: 300, size: '400x300', aspect: 1.3333333333333333 },
          ...(m.focus ? { focus: m.focus } : {}),
        },
      })),
      mentions: (i.mentions ?? []).map((id) => {
        const m = this.accounts.get(id) as FakeAccount;
        return { id: m.id, username: m.username, acct: m.username, url: `${this.origin}/@${m.username}` };
      }),
      tags: tags.map((t) => ({ name: t, url: `${this.origin}/tags/${t}` })),
      card: i.card
        ? {
            url: i.card.url,
            title: i.card.title,
            description: i.card.description ?? '',
            language: 'en',
            type: 'link',
            // Real servers send '' for these, which the description's `format: uri` forbids.
            author_name: '',
            author_url: new URL(i.card.url).origin,
            authors: [],
            provider_name: new URL(i.card.url).hostname,
            provider_url: new URL(i.card.url).origin,
            html: '',
            width: 400,
            height: 200,
            image: i.card.image ?? null,
            image_description: '',
            embed_url: i.card.url,
            blurhash: null,
            published_at: null,
          }
        : null,
      poll: this.renderPoll(s, viewer),
      replies_count: i.counts?.replies ?? this.counter('replies', s.id),
      reblogs_count: i.counts?.reblogs ?? this.counter('reblogs', s.id),
      favourites_count: i.counts?.favourites ?? s.favouritedBy.size,
      quotes_count: this.counter('quotes', s.id),
      ...this.renderQuote(quoted, viewer, depth),
      ...(this.takesQuotes ? { quote_approval: this.quoteApproval(s, viewer) } : {}),
      filtered: this.filterResults(s, viewer),
    };
  }

  /** Whether statuses take `quoted_status_id` (Mastodon API version 7, Mastodon 4.5). */
  private get takesQuotes(): boolean {
    return this.personality.apiVersion >= 7;
  }

  /** Who may quote `s`, and whether `viewer` may (its author always may). */
  private quoteApproval(s: StoredStatus, viewer: string | null): Obj {
    const anyone = (s.input.quotePolicy ?? 'public') === 'public';
    return {
      automatic: anyone ? ['public'] : [],
      manual: [],
      current_user: anyone || viewer === s.accountId ? 'automatic' : 'denied',
    };
  }

  /** The poll as `viewer` sees it: `voted` and `own_votes` are theirs. */
  private renderPoll(s: StoredStatus, viewer: string | null): Obj | null {
    const poll = s.input.poll;
    if (!poll) return null;
    const votes = [...s.pollVotes.values()];
    const own = viewer ? s.pollVotes.get(viewer) : undefined;
    return {
      id: s.ext,
      expires_at: poll.expiresAt ?? null,
      expired: this.pollExpired(s),
      multiple: poll.multiple ?? false,
      votes_count: votes.reduce((n, v) => n + v.length, 0),
      voters_count: votes.length,
      options: poll.options.map((title, k) => ({
        title,
        votes_count: votes.filter((v) => v.includes(k)).length,
      })),
      emojis: [],
      ...(viewer ? { voted: own !== undefined, own_votes: own ?? [] } : {}),
    };
  }

  private pollExpired(s: StoredStatus): boolean {
    const at = s.input.poll?.expiresAt;
    return !!at && Date.parse(at) <= Date.now();
  }

  /** Plain text as HTML: paragraphs and line breaks, as Mastodon renders them or with newlines between tags. */
  private renderText(text: string): string {
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const paragraphs = escaped.split(/\n{2,}/);
    if (this.personality.html === 'mastodon')
      return paragraphs.map((p) => `<p>${p.replace(/\n/g, '<br />')}</p>`).join('');
    return paragraphs.map((p) => `<p>${p.replace(/\n/g, '<br>\n')}</p>\n`).join('');
  }

  /** The quoted status: Mastodon 4.4's Quote entity (shallow when nested), or the status + `quote_id`. */
  private renderQuote(quoted: StoredStatus | undefined, viewer: string | null, depth: number): Obj {
    if (!quoted) return { quote: null };
    if (this.personality.quotes === 'status-and-quote-id')
      return {
        quote: depth === 0 ? this.renderStatus(quoted, viewer, depth + 1) : null,
        quote_id: quoted.ext,
      };
    return {
      quote:
        depth === 0
          ? { state: 'accepted', quoted_status: this.renderStatus(quoted, viewer, depth + 1) }
          : { state: 'accepted', quoted_status_id: quoted.ext },
    };
  }

  private filterResults(s: StoredStatus, viewer: string | null): Obj[] {
    if (!viewer) return [];
    const text = `${s.input.text ?? ''} ${s.input.html ?? ''} ${s.input.spoilerText ?? ''}`.toLowerCase();
    return this.filters
      .filter((f) => f.accountId === viewer && text.includes(f.keyword.toLowerCase()))
      .map((f) => ({
        filter: {
          id: f.id,
          title: f.title,
          context: ['home', 'public'],
          expires_at: null,
          filter_action: f.action,
          keywords: [{ id: `${f.id}1`, keyword: f.keyword, whole_word: true }],
          statuses: [],
        },
        keyword_matches: [f.keyword],
        status_matches: [],
      }));
  }

  // ---- timelines -----------------------------------------------------------------------------

  private textTags(s: StoredStatus): string[] {
    const base = s.reblogOf !== null ? this.statuses.get(s.reblogOf) : s;
    return (base?.input.tags ?? []).map((t) => t.toLowerCase());
  }

  private inHome(s: StoredStatus, viewer: string): boolean {
    if (s.deleted) return false;
    if (s.accountId === viewer || this.follows.get(viewer)?.has(s.accountId)) return true;
    return s.reblogOf === null && this.textTags(s).some((t) => this.followedTags.get(viewer)?.has(t));
  }

  private inList(s: StoredStatus, listId: string): boolean {
    return !s.deleted && !!this.lists.get(listId)?.members.has(s.accountId);
  }

  private inTag(s: StoredStatus, tag: string): boolean {
    return !s.deleted && s.reblogOf === null && this.textTags(s).includes(tag.toLowerCase());
  }

  /** Whether a timeline of `kind` lists `s` (`test`): a deleted status too while that kind is stale. */
  private listed(s: StoredStatus, kind: StaleTimeline, test: (s: StoredStatus) => boolean): boolean {
    return test(s.deleted && s.staleIn.includes(kind) ? { ...s, deleted: false } : s);
  }

  /**
   * Mastodon's paging: max_id/since_id bound a newest-first page; min_id pages forward from a cursor
   * (or, for some servers, acts like since_id). Cursors are compared as the personality's server does.
   */
  private paginate(ctx: Ctx, include: (s: StoredStatus) => boolean): Reply {
    const viewer = ctx.account?.id ?? null;
    return this.page(
      ctx,
      [...this.statuses.values()].filter(include),
      (s) => this.renderStatus(s, viewer),
      40,
    );
  }

  private page<T extends { id: number; ext: string }>(
    ctx: Ctx,
    items: T[],
    render: (item: T) => Obj,
    maxLimit: number,
  ): Reply {
    const q = ctx.url.searchParams;
    const p = this.personality;
    const limit = Math.min(maxLimit, Math.max(1, Number(q.get('limit') ?? 20) || 20));
    const below = (s: T, id: string | null): boolean => id === null || compareIds(p, s.ext, id) < 0;
    const above = (s: T, id: string | null): boolean => id === null || compareIds(p, s.ext, id) > 0;
    const minId = p.minId === 'forward' ? q.get('min_id') : null;
    const sinceId = p.minId === 'forward' ? q.get('since_id') : (q.get('since_id') ?? q.get('min_id'));
    let all = items.filter((s) => below(s, q.get('max_id')) && above(s, sinceId) && above(s, minId));
    if (minId !== null) {
      all = all
        .sort((a, b) => a.id - b.id)
        .slice(0, limit)
        .reverse();
    } else {
      all = all.sort((a, b) => b.id - a.id).slice(0, limit);
    }
    const body = all.map(render);
    const headers: Record<string, string> = {};
    const page = (k: string, v: string): string => {
      const u = new URL(ctx.url.pathname, this.origin);
      u.searchParams.set('limit', String(limit));
      u.searchParams.set(k, v);
      return u.href;
    };
    const next = `<${page('max_id', all[all.length - 1]?.ext ?? '')}>; rel="next"`;
    if (p.link === 'next-and-prev' && all.length)
      headers['link'] = `${next}, <${page('min_id', all[0]!.ext)}>; rel="prev"`;
    if (p.link === 'next-on-full-pages' && all.length === limit) headers['link'] = next;
    return { status: 200, body, headers };
  }

  // ---- routes --------------------------------------------------------------------------------

  private route(method: string, template: string, auth: boolean, handler: Route['handler']): void {
    if (!this.validator.hasOperation(method, template)) {
      throw new Error(`fake Mastodon would serve ${method} ${template}, which the description does not have`);
    }
    const params: string[] = [];
    const regex = new RegExp(
      `^${template.replace(/\{([^}]+)\}/g, (_m, p: string) => {
        params.push(p);
        return '([^/]+)';
      })}$`,
    );
    this.routes.push({ method, template, regex, params, auth, handler });
  }

  private statusFor(ctx: Ctx): StoredStatus | null {
    const s = this.find(ctx.params['id']);
    return s && !s.deleted ? s : null;
  }

  private defineRoutes(): void {
    this.route('POST', '/api/v1/apps', false, (ctx) => {
      const name = ctx.body['client_name'];
      const uris = ctx.body['redirect_uris'];
      const redirectUris = Array.isArray(uris)
        ? uris.map(String)
        : typeof uris === 'string'
          ? uris.split(/\s+/)
          : [];
      if (typeof name !== 'string' || !name || redirectUris.length === 0) {
        return err(422, 'Validation failed: client_name and redirect_uris are required');
      }
      const scopes = String(ctx.body['scopes'] ?? 'read').split(/\s+/);
      const app: FakeApp = {
        id: String(this.nextId++),
        name,
        clientId: randomBytes(16).toString('base64url'),
        clientSecret: randomBytes(24).toString('base64url'),
        redirectUris,
        scopes,
      };
      this.apps.push(app);
      return {
        status: 200,
        body: {
          id: app.id,
          name,
          website: typeof ctx.body['website'] === 'string' ? ctx.body['website'] : null,
          scopes,
          redirect_uri: redirectUris.join('\n'),
          redirect_uris: redirectUris,
          client_id: app.clientId,
          client_secret: app.clientSecret,
          client_secret_expires_at: 0,
          vapid_key:
            'BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=',
        },
      };
    });

    this.route('POST', '/oauth/token', false, (ctx) => {
      const code = String(ctx.body['code'] ?? '');
      const grant = this.codes.get(code);
      const app = this.apps.find((a) => a.clientId === ctx.body['client_id']);
      if (
        ctx.body['grant_type'] !== 'authorization_code' ||
        !grant ||
        !app ||
        app.clientSecret !== ctx.body['client_secret'] ||
        grant.clientId !== app.clientId ||
        grant.redirectUri !== ctx.body['redirect_uri'] ||
        (grant.challenge !== null &&
          createHash('sha256')
            .update(String(ctx.body['code_verifier'] ?? ''))
            .digest('base64url') !== grant.challenge)
      ) {
        // A code is spent by any attempt, as Doorkeeper does.
        if (grant) this.codes.delete(code);
        return {
          status: 400,
          body: {
            error: 'invalid_grant',
            error_description:
              'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
          },
        };
      }
      this.codes.delete(code);
      const account = this.accounts.get(grant.accountId) as FakeAccount;
      return {
        status: 200,
        body: {
          access_token: this.issueToken(account, grant.scopes, app.clientId),
          token_type: 'Bearer',
          scope: grant.scopes.join(' '),
          created_at: Math.floor(Date.now() / 1000),
        },
      };
    });

    // Doorkeeper's revocation: the client authenticates; an unknown token is answered 200 all the
    // same (RFC 7009), a token issued to another app (or made in the settings) is 403.
    this.route('POST', '/oauth/revoke', false, (ctx) => {
      const app = this.apps.find((a) => a.clientId === ctx.body['client_id']);
      if (!app || app.clientSecret !== ctx.body['client_secret']) {
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description:
              'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
          },
        };
      }
      const token = String(ctx.body['token'] ?? '');
      const granted = this.tokens.get(token);
      if (!granted) return { status: 200, body: {} };
      if (granted.clientId !== app.clientId) {
        return {
          status: 403,
          body: {
            error: 'unauthorized_client',
            error_description: 'You are not authorized to revoke this token',
          },
        };
      }
      this.tokens.delete(token);
      return { status: 200, body: {} };
    });

    this.route('GET', '/api/v1/accounts/verify_credentials', true, (ctx) => {
      const a = ctx.account as FakeAccount;
      return {
        status: 200,
        body: {
          ...this.renderAccount(a),
          source: {
            privacy: 'public',
            sensitive: false,
            language: 'en',
            note: '',
            fields: [],
            follow_requests_count: 0,
            indexable: true,
            hide_collections: false,
            discoverable: true,
            attribution_domains: [],
          },
          role: { id: '-99', name: '', permissions: '0', color: '', highlighted: false },
        },
      };
    });

    this.route('GET', '/api/v1/accounts/lookup', true, (ctx) => {
      const a = this.lookup(ctx.url.searchParams.get('acct') ?? '');
      return a ? { status: 200, body: this.renderAccount(a) } : err(404, 'Record not found');
    });
    this.route('GET', '/api/v1/accounts/relationships', true, (ctx) => {
      const ids = [...ctx.url.searchParams.getAll('id[]'), ...ctx.url.searchParams.getAll('id')];
      const me = (ctx.account as FakeAccount).id;
      return {
        status: 200,
        body: ids.filter((id) => this.accounts.has(id)).map((id) => this.renderRelationship(me, id)),
      };
    });
    this.route('GET', '/api/v1/accounts/{id}', true, (ctx) => {
      const a = this.accounts.get(ctx.params['id'] ?? '');
      return a ? { status: 200, body: this.renderAccount(a) } : err(404, 'Record not found');
    });
    this.route('GET', '/api/v1/accounts/{id}/statuses', true, (ctx) => {
      const id = ctx.params['id'] ?? '';
      if (!this.accounts.has(id)) return err(404, 'Record not found');
      return this.paginate(ctx, (s) => !s.deleted && s.accountId === id);
    });
    const relate = (verb: string, change: (me: string, other: string) => void) =>
      this.route('POST', `/api/v1/accounts/{id}/${verb}`, true, (ctx) => {
        const other = this.accounts.get(ctx.params['id'] ?? '');
        const me = ctx.account as FakeAccount;
        if (!other) return err(404, 'Record not found');
        if (other.id === me.id) return err(422, 'Validation failed: you cannot do this to yourself');
        change(me.id, other.id);
        return { status: 200, body: this.renderRelationship(me.id, other.id) };
      });
    relate('follow', (me, other) => {
      if (this.blocks.get(other)?.has(me)) return;
      this.follow(this.accounts.get(me) as FakeAccount, this.accounts.get(other) as FakeAccount);
    });
    relate('unfollow', (me, other) => void this.follows.get(me)?.delete(other));
    relate('mute', (me, other) => void this.setOf(this.mutes, me).add(other));
    relate('unmute', (me, other) => void this.mutes.get(me)?.delete(other));
    relate('block', (me, other) => {
      this.setOf(this.blocks, me).add(other);
      this.follows.get(me)?.delete(other);
      this.follows.get(other)?.delete(me);
    });
    relate('unblock', (me, other) => void this.blocks.get(me)?.delete(other));

    this.route('GET', '/api/v2/instance', false, () => ({
      status: 200,
      body: {
        domain: this.host,
        title: 'Fake Mastodon',
        version: this.personality.version,
        source_url: 'https://github.com/mastodon/mastodon',
        description: 'An in-memory Mastodon for tests',
        usage: { users: { active_month: this.accounts.size } },
        thumbnail: { url: `${this.origin}/thumbnail.png` },
        icon: [],
        languages: ['en'],
        configuration: {
          urls: {
            streaming: this.personality.streaming ? this.origin.replace(/^http/, 'ws') : null,
            status: null,
          },
          accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
          statuses: { max_characters: 500, max_media_attachments: 4, characters_reserved_per_url: 23 },
          media_attachments: {
            supported_mime_types: ['image/png'],
            image_size_limit: 16777216,
            image_matrix_limit: 33177600,
            video_size_limit: 103809024,
            video_frame_rate_limit: 120,
            video_matrix_limit: 8294400,
          },
          polls: {
            max_options: 4,
            max_characters_per_option: 50,
            min_expiration: 300,
            max_expiration: 2629746,
          },
          translation: { enabled: false },
        },
        registrations: { enabled: false, approval_required: false, message: null },
        api_versions: { mastodon: this.personality.apiVersion },
        contact: { email: 'admin@example.org', account: null },
        rules: [],
      },
    }));

    this.route('GET', '/api/v1/timelines/home', true, (ctx) =>
      this.paginate(ctx, (s) =>
        this.listed(s, 'home', (x) => this.inHome(x, (ctx.account as FakeAccount).id)),
      ),
    );
    this.route('GET', '/api/v1/timelines/list/{list_id}', true, (ctx) => {
      const list = this.lists.get(ctx.params['list_id'] ?? '');
      if (!list || list.accountId !== ctx.account?.id) return err(404, 'Record not found');
      return this.paginate(ctx, (s) => this.listed(s, 'list', (x) => this.inList(x, list.id)));
    });
    this.route('GET', '/api/v1/timelines/tag/{hashtag}', true, (ctx) =>
      this.paginate(ctx, (s) => this.listed(s, 'tag', (x) => this.inTag(x, ctx.params['hashtag'] ?? ''))),
    );

    this.route('GET', '/api/v1/lists', true, (ctx) => ({
      status: 200,
      body: [...this.lists.values()]
        .filter((l) => l.accountId === ctx.account?.id)
        .map((l) => ({ id: l.id, title: l.title, replies_policy: 'list', exclusive: false })),
    }));

    this.route('GET', '/api/v1/followed_tags', true, (ctx) => {
      const tags = [...(this.followedTags.get((ctx.account as FakeAccount).id) ?? [])];
      const limit = Number(ctx.url.searchParams.get('limit') ?? 100);
      const offset = Number(ctx.url.searchParams.get('max_id') ?? 0);
      const page = tags.slice(offset, offset + Math.min(limit, 200));
      const headers: Record<string, string> = {};
      if (page.length)
        headers['link'] = `<${this.origin}/api/v1/followed_tags?max_id=${offset + page.length}>; rel="next"`;
      return {
        status: 200,
        headers,
        body: page.map((t, n) => ({
          id: String(offset + n + 1),
          name: t,
          url: `${this.origin}/tags/${t}`,
          history: [],
          following: true,
        })),
      };
    });

    this.route('POST', '/api/v1/statuses', true, (ctx) => {
      const key = ctx.req.headers['idempotency-key'];
      const account = ctx.account as FakeAccount;
      const idemKey = typeof key === 'string' ? `${account.id}:${key}` : null;
      const previous = idemKey ? this.idempotency.get(idemKey) : undefined;
      if (previous !== undefined)
        return {
          status: 200,
          body: this.renderStatus(this.statuses.get(previous) as StoredStatus, account.id),
        };
      const text = typeof ctx.body['status'] === 'string' ? ctx.body['status'] : '';
      const mediaIds = Array.isArray(ctx.body['media_ids'])
        ? (ctx.body['media_ids'] as unknown[]).map(String)
        : [];
      const uploads = mediaIds.map((id) => this.uploads.get(id));
      if (uploads.some((u) => !u || u.accountId !== account.id || u.statusId !== null))
        return err(422, 'Validation failed: media not found or already used');
      if (uploads.some((u) => u!.processingPolls > 0))
        return err(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
      if (!text.trim() && uploads.length === 0) return err(422, "Validation failed: Text can't be blank");
      const replyTo = typeof ctx.body['in_reply_to_id'] === 'string' ? ctx.body['in_reply_to_id'] : undefined;
      if (replyTo && !this.find(replyTo)) return err(404, 'Record not found');
      // A server before Mastodon 4.5 does not know the parameter: it posts the text alone.
      const quotedId = typeof ctx.body['quoted_status_id'] === 'string' ? ctx.body['quoted_status_id'] : undefined;
      const quoted = this.takesQuotes ? this.find(quotedId) : undefined;
      if (this.takesQuotes && quotedId !== undefined) {
        if (!quoted || quoted.deleted) return err(404, 'Record not found');
        if (this.quoteApproval(quoted, account.id)['current_user'] !== 'automatic')
          return err(422, 'Validation failed: Quoted status not allowed to be quoted');
        if (uploads.length) return err(422, 'Validation failed: Quote posts cannot have media');
      }
      const id = this.post(account, {
        text,
        spoilerText: typeof ctx.body['spoiler_text'] === 'string' ? ctx.body['spoiler_text'] : '',
        // As sent (Mastodon itself would also mark a post with spoiler text sensitive).
        sensitive: ctx.body['sensitive'] === true || ctx.body['sensitive'] === 'true',
        language: typeof ctx.body['language'] === 'string' ? ctx.body['language'] : 'en',
        inReplyTo: replyTo,
        quoteOf: quoted?.ext,
        media: uploads.map((u) => ({ type: 'image' as const, description: u!.description })),
      });
      for (const u of uploads) u!.statusId = id;
      const created = this.find(id) as StoredStatus;
      if (idemKey) this.idempotency.set(idemKey, created.id);
      return {
        status: 200,
        body: this.renderStatus(created, account.id),
      };
    });

    // An edit, as Mastodon's UpdateStatusService: only the author's own status (another's is 404);
    // the attachments are those `media_ids` names again (none named: none left), a poll the same.
    this.route('PUT', '/api/v1/statuses/{id}', true, (ctx) => {
      const s = this.find(ctx.params['id']);
      const account = ctx.account as FakeAccount;
      if (!s || s.accountId !== account.id || s.reblogOf !== null) return err(404, 'Record not found');
      const text = typeof ctx.body['status'] === 'string' ? ctx.body['status'] : '';
      const named = new Set(
        Array.isArray(ctx.body['media_ids']) ? (ctx.body['media_ids'] as unknown[]).map(String) : [],
      );
      const media = (s.input.media ?? []).filter((_m, n) => named.has(`${s.id}${n}`));
      if (!text.trim() && media.length === 0) return err(422, "Validation failed: Text can't be blank");
      const spoilerText = typeof ctx.body['spoiler_text'] === 'string' ? ctx.body['spoiler_text'] : '';
      const { html: _html, ...input } = s.input;
      s.input = {
        ...input,
        text,
        spoilerText,
        sensitive: ctx.body['sensitive'] === true || ctx.body['sensitive'] === 'true' || spoilerText !== '',
        language:
          typeof ctx.body['language'] === 'string' ? ctx.body['language'] : (s.input.language ?? null),
        media,
        poll: undefined,
      };
      s.editedAt = new Date().toISOString();
      this.fanOut(s, 'status.update');
      return { status: 200, body: this.renderStatus(s, account.id) };
    });

    this.route('POST', '/api/v2/media', true, (ctx) => {
      const file = ctx.body['file'] as { type?: string; bytes?: Buffer } | undefined;
      if (!file?.bytes?.length || !file.type)
        return err(422, 'Validation failed: File is missing or has no type');
      const id = String(this.nextId++);
      const description = typeof ctx.body['description'] === 'string' ? ctx.body['description'] : null;
      const upload: FakeUpload = {
        id,
        accountId: (ctx.account as FakeAccount).id,
        mimeType: file.type,
        bytes: file.bytes,
        description,
        statusId: null,
        processingPolls: this.mediaProcessingPolls,
      };
      this.uploads.set(id, upload);
      return { status: upload.processingPolls > 0 ? 202 : 200, body: this.renderUpload(upload) };
    });

    this.route('GET', '/api/v1/media/{id}', true, (ctx) => {
      const upload = this.uploads.get(ctx.params['id'] ?? '');
      if (!upload || upload.accountId !== ctx.account?.id) return err(404, 'Record not found');
      if (upload.processingPolls > 0) upload.processingPolls -= 1;
      return { status: upload.processingPolls > 0 ? 206 : 200, body: this.renderUpload(upload) };
    });

    this.route('DELETE', '/api/v1/statuses/{id}', true, (ctx) => {
      const s = this.statusFor(ctx);
      if (!s || s.accountId !== ctx.account?.id) return err(404, 'Record not found');
      const body = { ...this.renderStatus(s, s.accountId), text: s.input.text ?? '' };
      this.remove(s);
      return { status: 200, body };
    });

    this.route('GET', '/api/v1/statuses/{id}', false, (ctx) => {
      const s = this.statusFor(ctx);
      if (!s) return err(404, 'Record not found');
      return { status: 200, body: this.renderStatus(s, ctx.account?.id ?? null) };
    });
    this.route('GET', '/api/v1/statuses/{id}/context', false, (ctx) => {
      const s = this.statusFor(ctx);
      if (!s) return err(404, 'Record not found');
      const viewer = ctx.account?.id ?? null;
      return {
        status: 200,
        body: {
          ancestors: this.ancestorsOf(s).map((a) => this.renderStatus(a, viewer)),
          descendants: this.descendantsOf(s).map((d) => this.renderStatus(d, viewer)),
        },
      };
    });
    // Statuses by URI (how clients resolve one) or by words in their text; accounts by URI or
    // handle (`resolve`), or by a word of their name; hashtags used in statuses.
    this.route('GET', '/api/v2/search', true, (ctx) => {
      const q = (ctx.url.searchParams.get('q') ?? '').trim();
      const type = ctx.url.searchParams.get('type');
      const want = (t: string) => type === null || type === t;
      const word = q.toLowerCase().replace(/^#/, '');
      const byUri = /^https?:\/\//.test(q);
      const viewer = ctx.account?.id ?? null;
      const live = [...this.statuses.values()].filter((s) => !s.deleted && s.reblogOf === null);
      const statuses = want('statuses')
        ? live.filter((s) =>
            byUri ? this.statusUri(s) === q : !!word && (s.input.text ?? '').toLowerCase().includes(word),
          )
        : [];
      const handle = q.startsWith('@') || q.includes('@') ? this.lookup(q) : undefined;
      const accounts = want('accounts')
        ? [...this.accounts.values()].filter((a) =>
            byUri
              ? this.accountUri(a) === q || `${this.origin}/@${a.username}` === q
              : a === handle ||
                (!!word &&
                  !q.includes('@') &&
                  (a.username.toLowerCase().includes(word) || a.displayName.toLowerCase().includes(word))),
          )
        : [];
      const tags =
        want('hashtags') && word && !byUri
          ? [...new Set(live.flatMap((s) => (s.input.tags ?? []).map((t) => t.toLowerCase())))].filter((t) =>
              t.includes(word),
            )
          : [];
      const limit = Math.min(40, Math.max(1, Number(ctx.url.searchParams.get('limit') ?? 20) || 20));
      return {
        status: 200,
        body: {
          accounts: accounts.slice(0, limit).map((a) => this.renderAccount(a)),
          hashtags: tags
            .slice(0, limit)
            .map((t) => ({ name: t, url: `${this.origin}/tags/${t}`, history: [] })),
          statuses: statuses
            .sort((a, b) => b.id - a.id)
            .slice(0, limit)
            .map((s) => this.renderStatus(s, viewer)),
        },
      };
    });

    this.route('GET', '/api/v1/polls/{id}', false, (ctx) => {
      const s = this.statusFor(ctx);
      if (!s?.input.poll) return err(404, 'Record not found');
      return { status: 200, body: this.renderPoll(s, ctx.account?.id ?? null) as Obj };
    });
    this.route('POST', '/api/v1/polls/{id}/votes', true, (ctx) => {
      const s = this.statusFor(ctx);
      const poll = s?.input.poll;
      if (!s || !poll) return err(404, 'Record not found');
      const me = (ctx.account as FakeAccount).id;
      const raw: unknown = ctx.body['choices'];
      const choices = (Array.isArray(raw) ? raw : [raw]).map((c) => Number(c));
      // Mastodon's validations, in its words.
      if (this.pollExpired(s)) return err(422, 'Validation failed: The poll has already ended');
      if (s.pollVotes.has(me)) return err(422, 'Validation failed: You have already voted on this poll');
      if (
        choices.length === 0 ||
        new Set(choices).size !== choices.length ||
        choices.some((c) => !Number.isInteger(c) || c < 0 || c >= poll.options.length)
      )
        return err(422, 'Validation failed: Choices are not valid');
      if (choices.length > 1 && !poll.multiple)
        return err(422, 'Validation failed: Only one choice is allowed');
      s.pollVotes.set(me, choices);
      return { status: 200, body: this.renderPoll(s, me) as Obj };
    });
    this.route('POST', '/api/v1/statuses/{id}/favourite', true, (ctx) => {
      const s = this.statusFor(ctx);
      if (!s) return err(404, 'Record not found');
      this.favouriteStatus(s, (ctx.account as FakeAccount).id);
      return { status: 200, body: this.renderStatus(s, (ctx.account as FakeAccount).id) };
    });
    this.route('POST', '/api/v1/statuses/{id}/unfavourite', true, (ctx) => {
      const s = this.statusFor(ctx);
      if (!s) return err(404, 'Record not found');
      s.favouritedBy.delete((ctx.account as FakeAccount).id);
      return { status: 200, body: this.renderStatus(s, (ctx.account as FakeAccount).id) };
    });
    this.route('POST', '/api/v1/statuses/{id}/reblog', true, (ctx) => {
      const s = this.statusFor(ctx);
      const me = (ctx.account as FakeAccount).id;
      if (!s) return err(404, 'Record not found');
      const existing = this.boostOf(s, me);
      const boost = existing ?? this.store(me, {}, s.id);
      if (!existing) this.fanOut(boost);
      return { status: 200, body: this.renderStatus(boost, me) };
    });
    this.route('POST', '/api/v1/statuses/{id}/unreblog', true, (ctx) => {
      const s = this.statusFor(ctx);
      const me = (ctx.account as FakeAccount).id;
      if (!s) return err(404, 'Record not found');
      for (const x of this.statuses.values()) if (x.reblogOf === s.id && x.accountId === me) x.deleted = true;
      return { status: 200, body: this.renderStatus(s, me) };
    });

    this.route('POST', '/api/v1/statuses/{id}/bookmark', true, (ctx) => {
      const s = this.statusFor(ctx);
      const me = (ctx.account as FakeAccount).id;
      if (!s) return err(404, 'Record not found');
      s.bookmarkedBy.delete(me); // re-added last: the newest bookmark
      s.bookmarkedBy.add(me);
      this.bookmarkOrder.push({ account: me, statusId: s.id });
      return { status: 200, body: this.renderStatus(s, me) };
    });
    this.route('POST', '/api/v1/statuses/{id}/unbookmark', true, (ctx) => {
      const s = this.statusFor(ctx);
      const me = (ctx.account as FakeAccount).id;
      if (!s) return err(404, 'Record not found');
      s.bookmarkedBy.delete(me);
      return { status: 200, body: this.renderStatus(s, me) };
    });
    this.route('GET', '/api/v1/bookmarks', true, (ctx) => {
      const me = (ctx.account as FakeAccount).id;
      const seen = new Set<number>();
      const mine: StoredStatus[] = [];
      for (const b of [...this.bookmarkOrder].reverse()) {
        const s = this.statuses.get(b.statusId);
        if (b.account !== me || seen.has(b.statusId) || !s || s.deleted || !s.bookmarkedBy.has(me)) continue;
        seen.add(b.statusId);
        mine.push(s);
      }
      return { status: 200, body: mine.slice(0, 40).map((s) => this.renderStatus(s, me)) };
    });

    this.route('GET', '/api/v1/notifications', true, (ctx) => {
      const me = (ctx.account as FakeAccount).id;
      const q = ctx.url.searchParams;
      const types = q.getAll('types[]').concat(q.getAll('types'));
      const excluded = q.getAll('exclude_types[]').concat(q.getAll('exclude_types'));
      const mine = this.notifications.filter(
        (n) =>
          n.recipient === me && (types.length === 0 || types.includes(n.type)) && !excluded.includes(n.type),
      );
      return this.page(ctx, mine, (n) => this.renderNotification(n), 80);
    });

    // Read markers: the position a client saved, per account and timeline (`home`, `notifications`).
    this.route('POST', '/api/v1/markers', true, (ctx) => {
      const me = (ctx.account as FakeAccount).id;
      const saved: Obj = {};
      for (const timeline of ['home', 'notifications'] as const) {
        const given = ctx.body[timeline];
        const lastReadId =
          given !== null && typeof given === 'object'
            ? (given as Obj)['last_read_id']
            : ctx.body[`${timeline}[last_read_id]`];
        if (lastReadId === undefined) continue;
        if (typeof lastReadId !== 'string' || !lastReadId)
          return err(422, 'Validation failed: Last read ID is invalid');
        const previous = this.markers.get(`${me}:${timeline}`);
        const marker = {
          last_read_id: lastReadId,
          version: (previous?.version ?? 0) + 1,
          updated_at: new Date().toISOString(),
        };
        this.markers.set(`${me}:${timeline}`, marker);
        saved[timeline] = marker;
      }
      return { status: 200, body: saved };
    });

    this.route('GET', '/api/v1/markers', true, (ctx) => {
      const me = (ctx.account as FakeAccount).id;
      const wanted = ctx.url.searchParams
        .getAll('timeline[]')
        .concat(ctx.url.searchParams.getAll('timeline'));
      const body: Obj = {};
      for (const timeline of wanted) {
        const marker = this.markers.get(`${me}:${timeline}`);
        if (marker) body[timeline] = marker;
      }
      return { status: 200, body };
    });
  }

  private statusUri(s: StoredStatus): string {
    if (s.input.uri) return s.input.uri;
    return `${this.origin}/users/${(this.accounts.get(s.accountId) as FakeAccount).username}/statuses/${s.ext}`;
  }

  /** The chain of parents, root first; a deleted parent ends it, as on Mastodon. */
  private ancestorsOf(s: StoredStatus): StoredStatus[] {
    const out: StoredStatus[] = [];
    for (let p = this.parentOf(s); p && !p.deleted; p = this.parentOf(p)) out.unshift(p);
    return out;
  }

  private parentOf(s: StoredStatus): StoredStatus | undefined {
    return this.find(s.input.inReplyTo);
  }

  /** Replies depth-first, oldest first at each level (Mastodon's order). */
  private descendantsOf(s: StoredStatus): StoredStatus[] {
    const children = [...this.statuses.values()]
      .filter((c) => !c.deleted && c.reblogOf === null && c.input.inReplyTo === s.ext)
      .sort((a, b) => a.id - b.id);
    return children.flatMap((c) => [c, ...this.descendantsOf(c)]);
  }

  private inHomeOf(c: StreamClient, s: StoredStatus): boolean {
    return c.stream === 'user' && this.inHome(s, c.accountId);
  }

  // ---- HTTP plumbing -------------------------------------------------------------------------

  private async readBody(req: IncomingMessage): Promise<Obj> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (!raw) return {};
    const type = req.headers['content-type'] ?? '';
    if (type.includes('application/json')) return JSON.parse(raw) as Obj;
    if (type.includes('multipart/form-data')) {
      // Parsed like a server would (boundary, parts, files), by the platform's own form parser.
      const form = await new Response(Buffer.concat(chunks), {
        headers: { 'content-type': type },
      }).formData();
      const out: Obj = {};
      for (const [k, v] of form) {
        out[k] =
          typeof v === 'string'
            ? v
            : { name: v.name, type: v.type, bytes: Buffer.from(await v.arrayBuffer()) };
      }
      return out;
    }
    const out: Obj = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      if (k.endsWith('[]')) ((out[k.slice(0, -2)] ??= []) as string[]).push(v);
      else out[k] = v;
    }
    return out;
  }

  private authenticate(req: IncomingMessage, url: URL): string | null {
    const h = req.headers['authorization'];
    if (typeof h === 'string' && /^Bearer\s+/i.test(h)) return h.replace(/^Bearer\s+/i, '').trim();
    const proto = req.headers['sec-websocket-protocol'];
    if (typeof proto === 'string' && proto) return proto.split(',')[0]?.trim() ?? null;
    return url.searchParams.get('access_token');
  }

  private rateHeaders(token: string | null): { headers: Record<string, string>; exhausted: boolean } {
    const key = token ?? 'anonymous';
    const now = Date.now();
    let b = this.budgets.get(key);
    if (!b || b.resetAt <= now)
      this.budgets.set(key, (b = { remaining: this.rateLimit, resetAt: now + 5 * 60_000 }));
    const exhausted = b.remaining <= 0;
    if (!exhausted) b.remaining--;
    return { exhausted, headers: this.rateLimitHeaders(b.remaining, b.resetAt) };
  }

  /** `X-RateLimit-*` as the personality sends them (or not at all). */
  private rateLimitHeaders(remaining: number, resetAt: number): Record<string, string> {
    const style = this.personality.rateLimitHeaders;
    if (style === 'none') return {};
    return {
      'x-ratelimit-limit': String(this.rateLimit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset':
        style === 'unix' ? String(Math.ceil(resetAt / 1000)) : new Date(resetAt).toISOString(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams) });
    let template: string | null = null;
    let reply: Reply;
    let extraHeaders: Record<string, string> = {};
    try {
      const found = this.routes
        .map((r) => ({ r, m: r.method === method ? r.regex.exec(url.pathname) : null }))
        .filter((x) => x.m)
        .sort((a, b) => a.r.params.length - b.r.params.length)[0];
      if (!found?.m) {
        // Unserved paths answer like Rails does; not validated (there is no operation to check).
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'Record not found' }));
        return;
      }
      template = found.r.template;
      const params = Object.fromEntries(
        found.r.params.map((p, n) => [p, decodeURIComponent(found.m?.[n + 1] ?? '')]),
      );
      const body = await this.readBody(req);
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        this.record(this.validator.validateRequestBody(method, template, body));
      }
      const token = this.authenticate(req, url);
      const rate = this.rateHeaders(token);
      extraHeaders = rate.headers;
      const fault = this.faults.findIndex((f) => url.pathname.startsWith(f.pathPrefix));
      const granted = token ? this.tokens.get(token) : undefined;
      const accountId = granted?.accountId;
      if (fault >= 0) {
        const f = this.faults.splice(fault, 1)[0] as Fault;
        if (f.status === 429) {
          // Without X-RateLimit-* a server can still say when to come back (plain HTTP).
          extraHeaders =
            this.personality.rateLimitHeaders === 'none'
              ? { 'retry-after': String(f.resetInSeconds) }
              : this.rateLimitHeaders(0, Date.now() + f.resetInSeconds * 1000);
          reply = err(429, 'Too many requests');
        } else if (f.status === 401) reply = err(401, 'The access token is invalid');
        else reply = { ...err(503, 'Service Unavailable'), headers: { 'retry-after': '1' } };
      } else if (rate.exhausted) {
        reply = err(429, 'Too many requests');
      } else if (found.r.auth && !accountId) {
        reply = err(401, 'The access token is invalid');
      } else if (found.r.auth && !this.allows(granted?.scopes ?? [], method, template)) {
        reply = err(403, 'This action is outside the authorized scopes');
      } else {
        const account = accountId ? (this.accounts.get(accountId) ?? null) : null;
        reply = await found.r.handler({ req, url, params, body, account, token });
      }
    } catch (e) {
      reply = err(500, `fake server error: ${(e as Error).message}`);
    }
    this.send(res, method, template, reply, extraHeaders);
  }

  /** Scopes are enforced as Doorkeeper does: `read` covers `read:statuses`, and so on. */
  private allows(granted: string[], method: string, template: string): boolean {
    const required = this.validator.requiredScopes(method, template);
    return (
      required.length === 0 ||
      required.some((r) => granted.includes(r) || granted.includes(r.split(':')[0] ?? r))
    );
  }

  private record(violations: string[]): boolean {
    this.violations.push(...violations);
    return violations.length === 0;
  }

  private send(
    res: ServerResponse,
    method: string,
    template: string | null,
    reply: Reply,
    extra: Record<string, string>,
  ): void {
    const headers: Record<string, string> = { ...extra, ...reply.headers };
    if (template) {
      const ok = this.record(
        this.validator.validateResponse({
          method,
          template,
          status: reply.status,
          headers,
          body: reply.body,
        }),
      );
      if (!ok) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'fake Mastodon: response violates the OpenAPI description' }));
        return;
      }
    }
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res
      .writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify(reply.body));
  }

  // ---- streaming -----------------------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.origin);
    this.requests.push({ method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const token = this.authenticate(req, url);
    const accountId = token ? this.tokens.get(token)?.accountId : undefined;
    if (!this.personality.streaming) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (url.pathname !== '/api/v1/streaming' || this.streamingDown || !accountId) {
      socket.end(
        `HTTP/1.1 ${accountId ? (this.streamingDown ? '503 Service Unavailable' : '404 Not Found') : '401 Unauthorized'}\r\n\r\n`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = url.searchParams.get('stream') ?? 'user';
      const client: StreamClient = {
        ws,
        accountId,
        stream,
        param: url.searchParams.get('list') ?? url.searchParams.get('tag'),
      };
      this.streams.add(client);
      ws.on('close', () => this.streams.delete(client));
    });
  }

  private fanOut(s: StoredStatus, event: 'update' | 'status.update' = 'update'): void {
    this.emit(
      (c) =>
        (c.stream === 'user' && this.inHome(s, c.accountId)) ||
        (c.stream === 'list' && !!c.param && this.inList(s, c.param)) ||
        (c.stream === 'hashtag' && !!c.param && this.inTag(s, c.param)),
      event,
      s,
    );
  }

  private emit(
    to: (c: StreamClient) => boolean,
    event: 'update' | 'status.update' | 'delete' | 'notification',
    what: StoredStatus | StoredNotification | string | unknown,
  ): void {
    for (const c of this.streams) {
      if (!to(c)) continue;
      const value =
        what && typeof what === 'object' && 'input' in (what as StoredStatus)
          ? this.renderStatus(what as StoredStatus, c.accountId)
          : what && typeof what === 'object' && 'recipient' in (what as StoredNotification)
            ? this.renderNotification(what as StoredNotification)
            : what;
      if (!this.record(this.validator.validateStreamingEvent(event, value))) continue;
      const payload = typeof value === 'string' ? value : JSON.stringify(value);
      c.ws.send(
        JSON.stringify({
          stream: [c.stream === 'user' ? 'user' : c.stream, ...(c.param ? [c.param] : [])],
          event,
          payload,
        }),
      );
    }
  }
}
