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

/**
 * An entity masto handed over, back in its wire form (snake_case keys, as Mastodon sent it): what a
 * post stores as its `raw` native record, the same for posts read over REST, read from the stream
 * and stored before the connector moved onto masto.
 */
export function wireShape(entity: unknown): unknown {
  return JSON.parse(serializer.serialize('json', entity) as string);
}
