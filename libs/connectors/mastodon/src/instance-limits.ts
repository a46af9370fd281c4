import type { MastodonHttp } from './mastodon-http.js';

/** What an instance accepts in one status, from `configuration` of `/api/v2/instance`. */
export interface MastodonPostLimits {
  maxCharacters: number;
  /** What every URL counts as, whatever its length. */
  charactersReservedPerUrl: number;
  maxMediaAttachments: number;
  supportedMimeTypes: string[] | null;
  imageSizeLimit: number | null;
}

/** Mastodon's defaults, for instances that leave a value out (older versions, other servers). */
const DEFAULTS: MastodonPostLimits = {
  maxCharacters: 500,
  charactersReservedPerUrl: 23,
  maxMediaAttachments: 4,
  supportedMimeTypes: null,
  imageSizeLimit: null,
};

const positive = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;

/** Reads the instance's status limits (anonymous; the endpoint is public). */
export async function fetchPostLimits(http: MastodonHttp): Promise<MastodonPostLimits> {
  const res = await http.request<{
    configuration?: {
      statuses?: {
        max_characters?: unknown;
        max_media_attachments?: unknown;
        characters_reserved_per_url?: unknown;
      };
      media_attachments?: { supported_mime_types?: unknown; image_size_limit?: unknown };
    };
  }>('GET', '/api/v2/instance');
  const statuses = res.data?.configuration?.statuses ?? {};
  const media = res.data?.configuration?.media_attachments ?? {};
  return {
    maxCharacters: positive(statuses.max_characters, DEFAULTS.maxCharacters),
    charactersReservedPerUrl: positive(
      statuses.characters_reserved_per_url,
      DEFAULTS.charactersReservedPerUrl,
    ),
    maxMediaAttachments: positive(statuses.max_media_attachments, DEFAULTS.maxMediaAttachments),
    supportedMimeTypes: Array.isArray(media.supported_mime_types)
      ? media.supported_mime_types.filter((t): t is string => typeof t === 'string')
      : null,
    imageSizeLimit: typeof media.image_size_limit === 'number' ? media.image_size_limit : null,
  };
}
