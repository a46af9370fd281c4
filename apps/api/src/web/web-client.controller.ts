import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { Public } from '../auth/public.decorator.js';

/** The example client's files (apps/web/src), read once: the only files served, by exact name. */
const WEB_ROOT = new URL('../../../web/src/', import.meta.url);
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const FILES = ['index.html', 'app.js', 'graphql.js', 'queries.js', 'render.js', 'style.css'];

/**
 * Scripts and styles only from here, data only from this origin's /graphql, images from the
 * networks' CDNs (avatars, media), no frames, no plugins, no inline code.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src https: http: data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function load(): Map<string, { body: Buffer; type: string }> {
  return new Map(
    FILES.map((name) => [
      name,
      { body: readFileSync(new URL(name, WEB_ROOT)), type: TYPES[name.split('.').pop()!]! },
    ]),
  );
}

/**
 * Serves the example web client at `/` (and its files under `/web/`), beside `/graphql` and
 * `/health`. Public: the page holds no data; it logs in through GraphQL like any client.
 */
@Public()
@Controller()
export class WebClientController {
  private readonly files = load();

  @Get()
  index(@Res() res: ServerResponse): void {
    this.send(res, 'index.html');
  }

  @Get('web/:file')
  file(@Param('file') file: string, @Res() res: ServerResponse): void {
    if (!this.files.has(file) || file === 'index.html') throw new NotFoundException();
    this.send(res, file);
  }

  private send(res: ServerResponse, name: string): void {
    const file = this.files.get(name)!;
    res
      .writeHead(200, {
        'content-type': file.type,
        'content-length': file.body.length,
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      })
      .end(file.body);
  }
}
