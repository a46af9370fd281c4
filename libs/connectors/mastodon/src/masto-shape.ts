import { SerializerNativeImpl } from 'masto/adapters/serializers/index.js';

const serializer = new SerializerNativeImpl();

/**
 * Parses wire JSON (snake_case) into the shape masto's REST client hands entities over in
 * (camelCase keys), with masto's own deserializer: the streaming connection, which is not masto's,
 * feeds the normalizer the same shape. Throws on malformed JSON.
 */
export function parseAsMasto(json: string): unknown {
  return serializer.deserialize('json', json);
}

/** A masto (camelCase) key back in Mastodon's snake_case; masto leaves keys with `:` or a leading `_` as they are. */
function wireKey(key: string): string {
  if (key.includes(':') || key.startsWith('_')) return key;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * An entity masto handed over, back in its wire form (snake_case keys, as Mastodon sent it): what a
 * post stores as its `raw` native record, the same for posts read over REST, read from the stream
 * and stored before the connector moved onto masto. Mastodon's keys are lower-case words joined by
 * `_`, which masto's camelCase turns into exactly what `wireKey` undoes (normalize-status.spec
 * checks the round trip on its fixtures). masto's own serializer does the same through change-case:
 * about 90 µs a status against 20 here (measured on the status fixtures).
 */
export function wireShape(entity: unknown): unknown {
  if (Array.isArray(entity)) return entity.map(wireShape);
  if (typeof entity !== 'object' || entity === null) return entity;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) out[wireKey(key)] = wireShape(value);
  return out;
}
