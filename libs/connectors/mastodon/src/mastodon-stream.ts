import type { NormalizeResult } from './normalize-status.js';
import { parseAsMasto } from './masto-shape.js';
import { normalizeStatus } from './normalize-status.js';
import { WebSocket } from 'ws';
import type { InstanceUrlPolicy } from '@tributary/core';
import { assertSafeInstanceUrl, checkedLookupFor } from '@tributary/core';

export type StreamState = 'connecting' | 'open' | 'closed';

export interface MastodonStreamOptions extends InstanceUrlPolicy {
  /** Base URL of the streaming API (`configuration.urls.streaming`, or the instance origin). */
  streamingUrl: string;
  instanceOrigin: string;
  accessToken: string;
  /** `user` (home + notifications), `list` with `list`, `hashtag` with `tag`. */
  stream?: 'user' | 'list' | 'hashtag';
  list?: string;
  tag?: string;
  /** A new or edited status (`update`, `status.update`), already normalized. */
  onStatus: (result: NormalizeResult, event: 'update' | 'status.update') => void;
  onDelete?: (statusId: string) => void;
  /**
   * A `notification` event (user stream): its id. The caller fetches notifications from its
   * stored marker, which also picks up any the stream missed.
   */
  onNotification?: (notificationId: string | null) => void;
  /**
   * Called after every reconnect, once the socket is open again: the caller runs `fetchNewer`
   * from its stored marker, so whatever the stream missed while it was down is fetched.
   */
  onReconnect?: () => void | Promise<void>;
  onStateChange?: (state: StreamState) => void;
  /**
   * Polling fallback: while the stream is not open, called every `pollIntervalMs` so the caller
   * runs `fetchNewer` (an instance without a working streaming API still stays fresh).
   */
  onPoll?: () => void | Promise<void>;
  pollIntervalMs?: number;
  onError?: (err: Error) => void;
  /**
   * The server has no streaming API (the handshake got 404 or 405): the stream stops for good,
   * without reconnecting, and this is called once. Without it, such a stream keeps retrying.
   */
  onUnsupported?: (status: number) => void;
  /** Reconnect delay: full-jitter exponential backoff between these bounds. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

interface StreamMessage {
  event?: unknown;
  payload?: unknown;
}

/**
 * The Mastodon streaming API over WebSocket (`ws`, whose socket takes the SSRF guard's checked DNS
 * lookup, which Node's built-in WebSocket cannot), with reconnects and a catch-up hook.
 *
 * Not masto's streaming client: masto reconnects inside its WebSocketConnectorImpl
 * (dist/adapters/ws/web-socket-connector.js) without telling anyone, so there would be no place to
 * re-check the streaming host before each reconnect, to run the catch-up (`onReconnect`) or to poll
 * while the stream is down. Statuses are still parsed into masto's shape (masto-shape.ts). The token travels as the WebSocket sub-protocol, as Mastodon's own web client
 * sends it, not in the URL where proxies would log it.
 */
export class MastodonStream {
  private ws: WebSocket | null = null;
  private stopped = false;
  private attempts = 0;
  private everOpened = false;
  private timer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private stateValue: StreamState = 'closed';
  /** Connections opened so far (1 + reconnects). */
  connections = 0;

  constructor(private readonly options: MastodonStreamOptions) {}

  get state(): StreamState {
    return this.stateValue;
  }

  /** True while the polling fallback is active (stream not open and `onPoll` given). */
  get isPolling(): boolean {
    return this.pollTimer !== null;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopPolling();
    this.ws?.close();
    this.ws = null;
    this.setState('closed');
  }

  private setState(state: StreamState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    if (state === 'connecting') this.startPolling();
    else this.stopPolling();
    this.options.onStateChange?.(state);
  }

  private startPolling(): void {
    if (!this.options.onPoll || this.pollTimer || this.stopped) return;
    this.pollTimer = setInterval(() => {
      // One poll at a time: a slow instance must not pile requests up.
      if (this.polling) return;
      this.polling = true;
      Promise.resolve()
        .then(() => this.options.onPoll?.())
        .catch((err: unknown) => this.options.onError?.(err as Error))
        .finally(() => (this.polling = false));
    }, this.options.pollIntervalMs ?? 120_000);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private async url(): Promise<string> {
    const base = new URL(this.options.streamingUrl);
    // The guard speaks http(s); the socket speaks ws(s) to the same host.
    const httpBase = new URL(base.href);
    httpBase.protocol = base.protocol === 'wss:' || base.protocol === 'https:' ? 'https:' : 'http:';
    await assertSafeInstanceUrl(httpBase.href, this.options);
    const url = new URL('/api/v1/streaming', httpBase);
    url.protocol = httpBase.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('stream', this.options.stream ?? 'user');
    if (this.options.list) url.searchParams.set('list', this.options.list);
    if (this.options.tag) url.searchParams.set('tag', this.options.tag);
    return url.href;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    let ws: WebSocket;
    try {
      const url = await this.url();
      const httpUrl = new URL(url);
      httpUrl.protocol = httpUrl.protocol === 'wss:' ? 'https:' : 'http:';
      ws = new WebSocket(url, [this.options.accessToken], {
        lookup: checkedLookupFor(httpUrl, this.options),
        followRedirects: false,
        handshakeTimeout: 30_000,
      });
    } catch (err) {
      this.options.onError?.(err as Error);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.stopped || ws !== this.ws) return;
      this.attempts = 0;
      this.connections++;
      const reconnect = this.everOpened;
      this.everOpened = true;
      this.setState('open');
      if (reconnect && this.options.onReconnect) {
        Promise.resolve()
          .then(() => this.options.onReconnect?.())
          .catch((err: unknown) => this.options.onError?.(err as Error));
      }
    });
    ws.addEventListener('message', (ev) => this.onMessage(ev.data));
    ws.addEventListener('error', (ev) => {
      const error =
        ev.error instanceof Error ? ev.error : new Error(ev.message || 'streaming connection error');
      // ws reports a refused handshake as "Unexpected server response: <status>".
      const status = Number(/Unexpected server response: (\d{3})/.exec(error.message)?.[1]);
      if ((status === 404 || status === 405) && this.options.onUnsupported && ws === this.ws) {
        this.close();
        this.options.onUnsupported(status);
        return;
      }
      this.options.onError?.(error);
    });
    ws.addEventListener('close', () => {
      if (ws !== this.ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.setState('connecting');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const initial = this.options.initialBackoffMs ?? 1_000;
    const max = this.options.maxBackoffMs ?? 60_000;
    const delay = Math.random() * Math.min(max, initial * 2 ** this.attempts++);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private onMessage(data: unknown): void {
    let msg: StreamMessage;
    try {
      msg = JSON.parse(
        typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8'),
      ) as StreamMessage;
    } catch {
      this.options.onError?.(new Error('streaming message is not JSON'));
      return;
    }
    if (msg.event === 'update' || msg.event === 'status.update') {
      let status: unknown;
      try {
        status = parseAsMasto(typeof msg.payload === 'string' ? msg.payload : JSON.stringify(msg.payload));
      } catch {
        this.options.onStatus(
          { skipped: { reason: 'streamed status payload is not JSON', record: msg.payload } },
          msg.event,
        );
        return;
      }
      this.options.onStatus(normalizeStatus(status, this.options.instanceOrigin), msg.event);
    } else if (msg.event === 'delete' && typeof msg.payload === 'string') {
      this.options.onDelete?.(msg.payload);
    } else if (msg.event === 'notification') {
      let id: string | null = null;
      try {
        const payload: unknown = typeof msg.payload === 'string' ? JSON.parse(msg.payload) : msg.payload;
        const raw = (payload as { id?: unknown } | null)?.id;
        id = typeof raw === 'string' ? raw : null;
      } catch {
        // the id only names it; a sync reads it (or its absence) from the REST API
      }
      this.options.onNotification?.(id);
    }
  }
}
