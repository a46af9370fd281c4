import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request } from '../http-types.js';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { CONFIG } from '@tributary/config';
import type { Config } from '@tributary/config';
import type { LostRepost, UserEvent } from '@tributary/queue';
import { hashSecret } from '../../auth/secrets.js';
import { TokenRevocations } from '../../auth/token-revocations.js';
import type { AuthenticatedUser } from '../../auth/auth.types.js';
import { mergeStreams } from '../../live/event-stream.js';
import type { EventStream } from '../../live/event-stream.js';
import { UserEventsService } from '../../live/user-events.service.js';
import { TimelineReader } from '../../timeline/timeline-reader.service.js';
import type { EntryView } from '../../timeline/timeline-reader.service.js';
import type { EntityContext } from '../entities/mastodon-entities.js';
import { postKey, reblogKey, reblogKeyOfUri } from '../ids/id-keys.js';
import { MastodonIds } from '../ids/mastodon-ids.service.js';
import { MastodonAuthGuard } from '../mastodon-auth.guard.js';
import { MastodonLists } from '../mastodon-lists.service.js';
import { MastodonNotifications } from '../notifications.js';
import { StatusPresenter } from '../status-presenter.service.js';

export const STREAMING_PATH = '/api/v1/streaming';
/** Streams one connection may follow at once (Mastodon's clients use two or three). */
const MAX_STREAMS_PER_CONNECTION = 20;
const HEARTBEAT_MS = 15_000;

/** A Mastodon streaming event, as both transports carry it. */
export interface StreamingEvent {
  stream: string[];
  event: string;
  payload: string;
}

/** The token of a streaming request: header, WebSocket subprotocol, or `access_token` query. */
export function streamingToken(req: IncomingMessage): { token: string; protocol: string | null } | null {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1] : undefined;
  if (bearer) return { token: bearer, protocol: null };
  const protocol = req.headers['sec-websocket-protocol'];
  if (typeof protocol === 'string' && protocol.trim())
    return { token: protocol.split(',')[0]!.trim(), protocol: protocol.split(',')[0]!.trim() };
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('access_token');
  return query ? { token: query, protocol: null } : null;
}

/** One followed stream: its name as events carry it, and the pipeline events it listens to. */
interface Subscription {
  name: string[];
  key: string;
  events: EventStream<UserEvent>;
}

/**
 * Mastodon's streaming API over the pub/sub GraphQL subscriptions use (UserEventsService): a
 * WebSocket at /api/v1/streaming multiplexing `user` and `list` streams, and the same as SSE
 * (StreamingController). `user` is home (the default pipeline) and the member's notifications;
 * `list` one pipeline. New entries are read back through the timeline reader and sent as `update`
 * statuses, posts deleted or edited at origin as `delete` and `status.update`, a boost undone (or
 * gone with its source) whose post stays as `delete` of the boost then `update` of the post, new
 * notifications as `notification` events.
 */
@Injectable()
export class MastodonStreaming implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MastodonStreaming.name);
  private readonly wss = new WebSocketServer({
    noServer: true,
    // Apps that send the token as the subprotocol expect it echoed.
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  /** Open connections by their token's hash: a revoked token's connections close at once. */
  private readonly byToken = new Map<string, Set<() => void>>();

  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly guard: MastodonAuthGuard,
    private readonly events: UserEventsService,
    private readonly reader: TimelineReader,
    private readonly lists: MastodonLists,
    private readonly presenter: StatusPresenter,
    private readonly notifications: MastodonNotifications,
    private readonly ids: MastodonIds,
    @Inject(CONFIG) private readonly config: Config,
    revocations: TokenRevocations,
  ) {
    revocations.onRevoked((hash) => {
      for (const close of this.byToken.get(hash) ?? []) close();
    });
  }

  onApplicationBootstrap(): void {
    const server = this.adapter.httpAdapter.getHttpServer() as {
      on(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void;
    };
    server.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== STREAMING_PATH && !path?.startsWith(`${STREAMING_PATH}/`)) return;
      void this.upgrade(req, socket, head);
    });
  }

  /** Who a streaming request is, or null (no token, invalid, or an app's own). */
  async authenticate(req: IncomingMessage): Promise<{ user: AuthenticatedUser; token: string } | null> {
    const found = streamingToken(req);
    if (!found) return null;
    const caller = await this.guard
      .caller({ headers: { authorization: `Bearer ${found.token}` }, query: {} } as unknown as Request)
      .catch(() => null);
    return caller?.user ? { user: caller.user, token: found.token } : null;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const caller = await this.authenticate(req);
    if (!caller) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"Error: Missing access token"}',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, req, caller.user, caller.token));
  }

  private serve(ws: WebSocket, req: IncomingMessage, user: AuthenticatedUser, token: string): void {
    const ctx = this.contextOf(req);
    const subscriptions = new Map<string, Subscription>();
    const send = (event: StreamingEvent) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
    };
    const close = () => ws.close(1008, 'token revoked');
    const hash = hashSecret(token);
    const closers = this.byToken.get(hash) ?? new Set();
    closers.add(close);
    this.byToken.set(hash, closers);
    const heartbeat = setInterval(() => ws.ping(), HEARTBEAT_MS);
    ws.on('close', () => {
      clearInterval(heartbeat);
      closers.delete(close);
      if (closers.size === 0) this.byToken.delete(hash);
      for (const s of subscriptions.values()) s.events.close();
      subscriptions.clear();
    });
    const subscribe = async (stream: unknown, list: unknown) => {
      try {
        const sub = await this.subscription(user, stream, list);
        if (
          !sub ||
          subscriptions.has(sub.key) ||
          subscriptions.size >= MAX_STREAMS_PER_CONNECTION ||
          ws.readyState !== ws.OPEN
        ) {
          sub?.events.close();
          return;
        }
        subscriptions.set(sub.key, sub);
        void this.pump(user, sub, ctx, send);
      } catch (error) {
        send({ stream: [], event: 'error', payload: JSON.stringify({ error: (error as Error).message }) });
      }
    };
    ws.on('message', (data) => {
      let message: { type?: unknown; stream?: unknown; list?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      if (message.type === 'subscribe') void subscribe(message.stream, message.list);
      if (message.type === 'unsubscribe') {
        const key = message.stream === 'list' ? `list:${String(message.list)}` : String(message.stream);
        subscriptions.get(key)?.events.close();
        subscriptions.delete(key);
      }
    });
    // `?stream=user` on the URL subscribes at once, as Mastodon does.
    const url = new URL(req.url ?? '/', 'http://localhost');
    const initial = url.searchParams.get('stream') ?? (url.pathname.endsWith('/user') ? 'user' : null);
    if (initial) void subscribe(initial, url.searchParams.get('list'));
  }

  /** The events of one stream the member asked for; null for a stream Tributary does not serve. */
  async subscription(user: AuthenticatedUser, stream: unknown, list: unknown): Promise<Subscription | null> {
    if (stream === 'user') {
      const pipeline = await this.reader.ownedPipeline(user.id, null);
      const home = await this.events.timeline(user.id, pipeline.id);
      const notifications = await this.events.notifications(user.id).catch((error: unknown) => {
        home.close();
        throw error;
      });
      return { name: ['user'], key: 'user', events: mergeStreams([home, notifications]) };
    }
    if (stream === 'list' && typeof list === 'string') {
      const pipelineId = await this.lists.pipelineOf(user, list);
      return {
        name: ['list', list],
        key: `list:${list}`,
        events: await this.events.timeline(user.id, pipelineId),
      };
    }
    return null;
  }

  /**
   * Sends one stream's new entries as `update` events, its entries whose post changed at origin as
   * `delete` (the status ids it went by) and `status.update` (the edited status), its entries that
   * lost the boost they were shown as as `delete` (the boost) and `update` (the entry as it now
   * shows), and notifications as `notification`, until it is closed.
   */
  async pump(
    user: AuthenticatedUser,
    sub: Subscription,
    ctx: EntityContext,
    send: (event: StreamingEvent) => void,
  ) {
    for await (const event of sub.events) {
      if (event.userId !== user.id) continue;
      if (event.type === 'notifications') {
        await this.sendNotifications(user, sub, event.notificationIds, ctx, send);
        continue;
      }
      if (event.type !== 'timeline-entries' && event.type !== 'timeline-changed') continue;
      try {
        if (event.type === 'timeline-changed' && event.change === 'removed') {
          const entries = await this.reader.entriesByIds(user.id, event.pipelineId, event.entryIds, 'hidden');
          for (const id of await this.removedIds(entries))
            send({ stream: sub.name, event: 'delete', payload: id });
          continue;
        }
        let entries = await this.reader.entriesByIds(user.id, event.pipelineId, event.entryIds);
        if (event.type === 'timeline-changed' && event.change === 'unreposted') {
          // As Mastodon when a boost is undone: the boost's status goes. The app had the post only
          // inside it, so the post follows as the timeline now shows it.
          const lost = await this.lostBoosts(entries, event.reposts);
          for (const id of lost.ids) send({ stream: sub.name, event: 'delete', payload: id });
          entries = lost.entries;
        }
        const edited = event.type === 'timeline-changed' && event.change === 'edited';
        const statuses = await this.presenter.statuses(
          user.id,
          entries.map((e) => ({
            postId: e.postId,
            post: e.data,
            // An edit is the post's own: apps update it wherever it shows, boosts of it included.
            reason: edited ? null : e.reason,
            decisions: e.decisions,
          })),
          ctx,
        );
        statuses.forEach((status, i) => {
          // When the origin does not say when it was edited (Bluesky), the edit is as of when
          // Tributary stored it.
          if (edited) status['edited_at'] ??= new Date(entries[i]!.storedAt).toISOString();
          send({
            stream: sub.name,
            event: edited ? 'status.update' : 'update',
            payload: JSON.stringify(status),
          });
        });
      } catch (error) {
        this.logger.warn(`streaming update not sent: ${(error as Error).message}`);
      }
    }
  }

  /**
   * The status ids removed entries went by: the post's own when it was deleted at origin (or came
   * by itself), and the boost's that brought it.
   */
  private async removedIds(entries: readonly EntryView[]): Promise<string[]> {
    const requests = entries.flatMap((e) => {
      const post = {
        kind: 'POST' as const,
        key: postKey(e.data.network, e.data.uri),
        at: Date.parse(e.data.createdAt),
      };
      if (!e.reason) return [post];
      const boost = {
        kind: 'REBLOG' as const,
        key: reblogKey(e.data.network, e.data.uri, e.reason),
        at: Date.parse(e.reason.at),
      };
      return e.data.deletedAt !== undefined ? [boost, post] : [boost];
    });
    const ids = await this.ids.ids(requests);
    return [...new Set(requests.map((r) => ids.get(r.kind, r.key)))];
  }

  /**
   * Of entries still shown that lost the repost they were shown as: the boosts' status ids, and
   * the entries that show no such boost now (one a newer run shows boosted again is left alone).
   */
  private async lostBoosts<E extends EntryView>(
    entries: readonly E[],
    reposts: readonly LostRepost[],
  ): Promise<{ ids: string[]; entries: E[] }> {
    const lost = new Map(reposts.map((r) => [r.entryId, r]));
    const changed = entries.filter((e) => lost.has(e.id) && e.reason?.uri !== lost.get(e.id)!.uri);
    if (changed.length === 0) return { ids: [], entries: [] };
    const requests = changed.map((e) => {
      const repost = lost.get(e.id)!;
      return {
        kind: 'REBLOG' as const,
        key: reblogKeyOfUri(e.data.network, e.data.uri, repost.uri),
        at: Date.parse(repost.at),
      };
    });
    const ids = await this.ids.ids(requests);
    return { ids: [...new Set(requests.map((r) => ids.get(r.kind, r.key)))], entries: changed };
  }

  private async sendNotifications(
    user: AuthenticatedUser,
    sub: Subscription,
    ids: readonly string[],
    ctx: EntityContext,
    send: (event: StreamingEvent) => void,
  ): Promise<void> {
    try {
      for (const notification of await this.notifications.live(user, ids, ctx))
        send({ stream: sub.name, event: 'notification', payload: JSON.stringify(notification) });
    } catch (error) {
      this.logger.warn(`streaming notification not sent: ${(error as Error).message}`);
    }
  }

  contextOf(req: IncomingMessage): EntityContext {
    return {
      baseUrl: this.config.PUBLIC_URL?.replace(/\/+$/, '') ?? `http://${req.headers.host ?? 'localhost'}`,
    };
  }

  onApplicationShutdown(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
