import type { NextFunction, Request, Response } from './http-types.js';

/** Where Mastodon allows any origin: its API, the token endpoints, discovery. */
const CORS_PATHS = [/^\/api\//, /^\/oauth\/(token|revoke)$/, /^\/\.well-known\//, /^\/nodeinfo\//];
const EXPOSED = [
  'Link',
  'X-RateLimit-Reset',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-Request-Id',
  'Idempotency-Key',
];

/**
 * CORS as Mastodon sends it (INTEROP.md §4): `*` on the API, with `Link` exposed (without it a
 * browser app cannot page) and preflights answered here. No credentials: tokens travel in headers.
 */
export function mastodonCors(req: Request, res: Response, next: NextFunction): void {
  // Mounted on every path, so `req.path` is relative to the mount: the full path is in originalUrl.
  const path = req.originalUrl.split('?')[0] ?? '';
  if (!CORS_PATHS.some((p) => p.test(path))) return next();
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED.join(', '));
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    res.setHeader('Access-Control-Allow-Methods', 'POST, PUT, DELETE, GET, PATCH, OPTIONS');
    res.setHeader(
      'Access-Control-Allow-Headers',
      req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, Idempotency-Key',
    );
    res.setHeader('Access-Control-Max-Age', '7200');
    res.status(204).end();
    return;
  }
  next();
}
