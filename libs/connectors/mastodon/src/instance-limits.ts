import type { MastodonClient } from './mastodon-client.js';

/** What an instance accepts in one status, from `configuration` of `/api/v2/instance`. */
export interface MastodonPostLimits {
  maxCharacters: number;
  /** What every URL counts as, whatever its length. */
  charactersReservedPerUrl: number;
  maxMediaAttachments: number;
  supportedMimeTypes: string[] | null;
  imageSizeLimit: number | null;
  /**
   * Whether a status may quote another (`quoted_status_id`): Mastodon API version 7 (Mastodon 4.5)
   * and later. Other servers ignore the parameter, which would post the text without its quote.
   */
  quotePosts: boolean;
}

/** The `mastodon` API version from which statuses take `quoted_status_id`. */
export const QUOTE_POSTS_API_VERSION = 7;

/** Mastodon's defaults, for instances that leave a value out (older versions, other servers). */
const DEFAULTS: MastodonPostLimits = {
  maxCharacters: 500,
  charactersReservedPerUrl: 23,
  maxMediaAttachments: 4,
  supportedMimeTypes: null,
  imageSizeLimit: null,
  quotePosts: false,
};

const positive = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;

/** Reads the instance's status limits (anonymous; the endpoint is public). */
export async function fetchPostLimits(client: MastodonClient): Promise<MastodonPostLimits> {
  // Typed by masto, but read defensively: other servers leave parts of `configuration` out.
  const res = await client.rest((api) => api.v2.instance.fetch());
  const statuses: Record<string, unknown> = { ...res.data?.configuration?.statuses };
  const media: Record<string, unknown> = { ...res.data?.configuration?.mediaAttachments };
  return {
    maxCharacters: positive(statuses['maxCharacters'], DEFAULTS.maxCharacters),
    charactersReservedPerUrl: positive(
      statuses['charactersReservedPerUrl'],
      DEFAULTS.charactersReservedPerUrl,
    ),
    maxMediaAttachments: positive(statuses['maxMediaAttachments'], DEFAULTS.maxMediaAttachments),
    supportedMimeTypes: Array.isArray(media['supportedMimeTypes'])
      ? (media['supportedMimeTypes'] as unknown[]).filter((t): t is string => typeof t === 'string')
      : null,
    imageSizeLimit: typeof media['imageSizeLimit'] === 'number' ? media['imageSizeLimit'] : null,
    quotePosts: positive(res.data?.apiVersions?.['mastodon'], 0) >= QUOTE_POSTS_API_VERSION,
  };
}
