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
