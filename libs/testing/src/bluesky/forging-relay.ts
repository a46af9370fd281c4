// A relay that lies, for the tests of firehose verification: it serves a PDS's real
// `com.atproto.sync.subscribeRepos` frames, but a commit of one account names another as its repo
// (did:plc DIDs all have the same length, so the frame stays valid CBOR; in dag-cbor's key order
// `repo` comes before `blocks`, so the first occurrence is that field and the signed commit in the
// blocks is left whole). The forger's posts then claim to be the victim's. A consumer that checks
// the commit's signature against the victim's key drops them; one that does not stores the
// forger's words under the victim's name.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';

export class ForgingRelay {
  /** `ws://127.0.0.1:<port>`: the relay URL to consume. */
  url = '';
  private readonly server = createServer();
  private readonly wss = new WebSocketServer({ server: this.server });

  private constructor(
    private readonly pdsUrl: string,
    private readonly forger: Buffer,
    private readonly victim: Buffer,
  ) {}

  /** Relays `pdsUrl`'s firehose, `forger`'s commits claiming to be `victim`'s. */
  static async start(pdsUrl: string, forger: string, victim: string): Promise<ForgingRelay> {
    if (forger.length !== victim.length) throw new Error('the DIDs must have the same length');
    const relay = new ForgingRelay(pdsUrl, Buffer.from(forger), Buffer.from(victim));
    relay.wss.on('connection', (client, req) => relay.pipe(client, req.url ?? '/'));
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    relay.url = `ws://127.0.0.1:${(relay.server.address() as AddressInfo).port}`;
    return relay;
  }

  private pipe(client: WebSocket, path: string): void {
    const upstream = new WebSocket(new URL(path, this.pdsUrl.replace(/^http/, 'ws')));
    upstream.on('message', (data: RawData) => {
      if (client.readyState === WebSocket.OPEN) client.send(this.forge(data));
    });
    upstream.on('close', () => client.close());
    upstream.on('error', () => client.terminate());
    client.on('close', () => upstream.terminate());
    client.on('error', () => upstream.terminate());
  }

  private forge(data: RawData): Buffer {
    const frame = Buffer.from(Array.isArray(data) ? Buffer.concat(data) : (data as Buffer));
    const at = frame.indexOf(this.forger);
    if (at !== -1) this.victim.copy(frame, at);
    return frame;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
