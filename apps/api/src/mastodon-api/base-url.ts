import type { Request } from './http-types.js';
import type { Config } from '@tributary/config';

/**
 * Where this instance's URLs start, as apps reach it: PUBLIC_URL when set, else the request's own
 * scheme and host (Express's `req.protocol` honours X-Forwarded-Proto only behind TRUST_PROXY).
 */
export function baseUrl(req: Request, config: Config): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
