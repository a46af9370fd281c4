import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from '../http-types.js';
import { Public } from '../../auth/public.decorator.js';
import { MastodonStreaming } from './mastodon-streaming.service.js';
import type { StreamingEvent } from './mastodon-streaming.service.js';

const HEARTBEAT_MS = 15_000;

/** Mastodon's streaming API as server-sent events: one stream per request. */
@Public()
@Controller('api/v1/streaming')
export class StreamingController {
  constructor(private readonly streaming: MastodonStreaming) {}

  @Get('health')
  health(@Res() res: Response) {
    res.type('text/plain').send('OK');
  }

  @Get('user')
  user(@Req() req: Request, @Res() res: Response) {
    return this.sse(req, res, 'user', null);
  }

  @Get('list')
  list(@Req() req: Request, @Res() res: Response, @Query('list') list: unknown) {
    return this.sse(req, res, 'list', list);
  }

  private async sse(req: Request, res: Response, stream: string, list: unknown) {
    const caller = await this.streaming.authenticate(req);
    if (!caller) {
      res.status(401).json({ error: 'Error: Missing access token' });
      return;
    }
    const sub = await this.streaming.subscription(caller.user, stream, list).catch(() => null);
    if (!sub) {
      res.status(404).json({ error: 'Error: Unknown stream' });
      return;
    }
    res.status(200).set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      'Access-Control-Allow-Origin': '*',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(':)\n\n');
    const heartbeat = setInterval(() => res.write(':thump\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      sub.events.close();
    });
    const send = (event: StreamingEvent) => res.write(`event: ${event.event}\ndata: ${event.payload}\n\n`);
    await this.streaming.pump(caller.user, sub, this.streaming.contextOf(req), send);
    clearInterval(heartbeat);
    res.end();
  }
}
