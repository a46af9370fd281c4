// Derives libs/testing/src/mastodon/mastodon-contract.json, the part of Mastodon's API the fake
// Mastodon is held to, from the published OpenAPI description (abraham/mastodon-openapi, generated
// from Mastodon's documentation). Only structure is kept — paths, methods, status codes, headers,
// field names, types, formats, enums, `required`, scopes — for the operations and streaming events
// Tributary uses or the fake serves; no prose, no examples. Then the deviations every real
// Mastodon-API server shows are applied, each named below.
//
//   node tools/scripts/mastodon-contract.mjs [path/to/schema.json]
//
// (default: ../shared/data/mastodon-openapi/schema.json beside the checkout). Without the
// description the committed contract is left as it is.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const root = fileURLToPath(new URL('../../', import.meta.url));
const input = resolve(process.argv[2] ?? `${root}../shared/data/mastodon-openapi/schema.json`);
const output = `${root}libs/testing/src/mastodon/mastodon-contract.json`;

/** What Tributary calls (libs/connectors/mastodon) and the fake serves (libs/testing/src/mastodon). */
const OPERATIONS = [
  'POST /api/v1/apps',
  'POST /oauth/token',
  'POST /oauth/revoke',
  'GET /api/v1/accounts/verify_credentials',
  'GET /api/v1/instance',
  'GET /api/v2/instance',
  'GET /api/v1/timelines/home',
  'GET /api/v1/timelines/list/{list_id}',
  'GET /api/v1/timelines/tag/{hashtag}',
  'GET /api/v1/lists',
  'GET /api/v1/followed_tags',
  'POST /api/v1/statuses',
  'GET /api/v1/statuses/{id}',
  'PUT /api/v1/statuses/{id}',
  'DELETE /api/v1/statuses/{id}',
  'GET /api/v1/statuses/{id}/context',
  'GET /api/v1/statuses/{id}/history',
  'POST /api/v1/statuses/{id}/favourite',
  'POST /api/v1/statuses/{id}/unfavourite',
  'POST /api/v1/statuses/{id}/reblog',
  'POST /api/v1/statuses/{id}/unreblog',
  'POST /api/v2/media',
  'GET /api/v1/media/{id}',
  'GET /api/v2/search',
  'GET /api/v1/markers',
  'POST /api/v1/markers',
  'GET /api/v1/polls/{id}',
  'POST /api/v1/polls/{id}/votes',
  'GET /api/v1/streaming/user',
  'GET /api/v1/streaming/list',
  'GET /api/v1/streaming/hashtag',
  // What Tributary's own Mastodon client API serves (apps/api/src/mastodon-api), held to the same contract.
  'GET /api/v1/apps/verify_credentials',
  'GET /.well-known/oauth-authorization-server',
  'GET /api/v1/lists/{id}',
  'GET /api/v1/notifications',
  'GET /api/v1/preferences',
  'GET /api/v1/custom_emojis',
  'GET /api/v1/announcements',
  'GET /api/v2/filters',
  'GET /api/v1/accounts/{id}',
  // What the client surface calls on the members' instances (profiles, follows, bookmarks, media).
  'GET /api/v1/accounts/lookup',
  'GET /api/v1/accounts/{id}/statuses',
  'GET /api/v1/accounts/relationships',
  'POST /api/v1/accounts/{id}/follow',
  'POST /api/v1/accounts/{id}/unfollow',
  'POST /api/v1/accounts/{id}/mute',
  'POST /api/v1/accounts/{id}/unmute',
  'POST /api/v1/accounts/{id}/block',
  'POST /api/v1/accounts/{id}/unblock',
  'GET /api/v1/bookmarks',
  'POST /api/v1/statuses/{id}/bookmark',
  'POST /api/v1/statuses/{id}/unbookmark',
  'PUT /api/v1/media/{id}',
];

/**
 * The streaming API's events Tributary reads (the description lists the endpoints as event streams
 * without payload schemas): the payload of each, a schema or a string.
 */
const STREAMING_EVENTS = {
  update: { $ref: '#/components/schemas/Status' },
  'status.update': { $ref: '#/components/schemas/Status' },
  delete: { type: 'string' },
  notification: { $ref: '#/components/schemas/Notification' },
};

/** JSON Schema keywords that carry structure; everything else (descriptions, examples…) is dropped. */
const SCHEMA_KEYWORDS = new Set([
  '$ref',
  'type',
  'format',
  'enum',
  'const',
  'required',
  'properties',
  'additionalProperties',
  'patternProperties',
  'items',
  'prefixItems',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
  'default',
]);

function schema(node) {
  if (Array.isArray(node)) return node.map(schema);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (!SCHEMA_KEYWORDS.has(k)) continue;
    if (k === 'properties' || k === 'patternProperties')
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, schema(s)]));
    else if (['items', 'additionalProperties', 'not', 'prefixItems', 'oneOf', 'anyOf', 'allOf'].includes(k))
      out[k] = typeof v === 'object' ? schema(v) : v;
    else out[k] = v;
  }
  return out;
}

const content = (c) =>
  c &&
  Object.fromEntries(
    Object.entries(c).map(([type, m]) => [type, m.schema ? { schema: schema(m.schema) } : {}]),
  );

function operation(op) {
  const out = {};
  if (op.security) out.security = op.security;
  if (op.parameters)
    out.parameters = op.parameters.map((p) => ({
      name: p.name,
      in: p.in,
      ...(p.required ? { required: true } : {}),
      ...(p.schema ? { schema: schema(p.schema) } : {}),
    }));
  if (op.requestBody)
    out.requestBody = {
      ...(op.requestBody.required ? { required: true } : {}),
      content: content(op.requestBody.content),
    };
  out.responses = Object.fromEntries(
    Object.entries(op.responses ?? {}).map(([status, r]) => [
      status,
      {
        ...(r.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(r.headers).map(([n, h]) => [
                  n,
                  h.$ref ? { $ref: h.$ref } : { schema: schema(h.schema) },
                ]),
              ),
            }
          : {}),
        ...(r.content ? { content: content(r.content) } : {}),
      },
    ]),
  );
  return out;
}

/** Every `#/components/<kind>/<name>` reachable from `value`, transitively. */
function reachable(doc, value) {
  const found = { schemas: new Set(), headers: new Set() };
  const visit = (v) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      const m =
        k === '$ref' && typeof x === 'string' ? /^#\/components\/(schemas|headers)\/(.+)$/.exec(x) : null;
      if (m && !found[m[1]].has(m[2])) {
        found[m[1]].add(m[2]);
        visit(m[1] === 'schemas' ? schema(doc.components.schemas[m[2]]) : doc.components.headers[m[2]]);
      } else visit(x);
    }
  };
  visit(value);
  return found;
}

/**
 * What real Mastodon-API servers send that the description does not allow. Each is narrow, named,
 * and seen on live servers or documented by them.
 */
function applyDeviations(contract) {
  const s = contract.components.schemas;
  const must = (cond, what) => {
    if (!cond) throw new Error(`the description changed: ${what}; review applyDeviations()`);
  };
  // `Status.quote` is `oneOf [Quote, ShallowQuote, null]`, but neither object schema forbids the
  // other's property, so a non-null quote matches both and `oneOf` can never pass. Servers before
  // Mastodon 4.4 (Fedibird, Akkoma, others) send the quoted Status itself, with `quote_id`.
  const quote = s.Status?.properties?.quote;
  must(quote?.oneOf, 'Status.quote is no longer oneOf');
  quote.anyOf = [...quote.oneOf, { $ref: '#/components/schemas/Status' }];
  delete quote.oneOf;
  s.Status.properties.quote_id = { type: ['string', 'null'] };
  // Accounts without `uri`, `group` or `indexable` (servers that are not Mastodon; INTEROP.md §5).
  for (const name of ['Account', 'CredentialAccount'])
    for (const field of ['uri', 'group', 'indexable']) {
      must(s[name]?.required?.includes(field), `${name}.${field} is no longer required`);
      s[name].required = s[name].required.filter((f) => f !== field);
    }
  // GoToSocial sends `X-RateLimit-Reset` as a Unix timestamp in seconds (docs/api/ratelimiting.md).
  const reset = contract.components.headers['X-RateLimit-Reset'];
  must(reset?.schema?.format === 'date-time', 'X-RateLimit-Reset is no longer a date-time');
  reset.schema = { anyOf: [reset.schema, { type: 'string', pattern: '^[0-9]+$' }, { type: 'integer' }] };
  // A token without the operation's scope gets 403 (Doorkeeper's insufficient_scope); the description
  // lists 403 for few operations.
  for (const methods of Object.values(contract.paths))
    for (const op of Object.values(methods))
      if (op.security?.some((r) => Object.values(r).some((scopes) => scopes.length)) && !op.responses['403'])
        op.responses['403'] = {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
}

async function main() {
  if (!existsSync(input)) {
    console.log(`${input} not found: ${output} left as it is`);
    return;
  }
  const bytes = readFileSync(input);
  const doc = JSON.parse(bytes.toString('utf8'));
  const paths = {};
  for (const entry of OPERATIONS) {
    const [method, template] = entry.split(' ');
    const op = doc.paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`${entry} is not in ${input}`);
    (paths[template] ??= {})[method.toLowerCase()] = operation(op);
  }
  const used = reachable(doc, [paths, STREAMING_EVENTS]);
  const contract = {
    source: {
      from: 'abraham/mastodon-openapi dist/schema.json (generated from mastodon/documentation)',
      version: doc.info?.version ?? null,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      generator: 'tools/scripts/mastodon-contract.mjs',
    },
    paths,
    streaming: { events: STREAMING_EVENTS },
    components: {
      schemas: Object.fromEntries(
        [...used.schemas].sort().map((n) => [n, schema(doc.components.schemas[n])]),
      ),
      headers: Object.fromEntries(
        [...used.headers].sort().map((n) => [n, { schema: schema(doc.components.headers[n].schema) }]),
      ),
    },
  };
  applyDeviations(contract);
  const options = (await prettier.resolveConfig(output)) ?? {};
  writeFileSync(output, await prettier.format(JSON.stringify(contract), { ...options, parser: 'json' }));
  console.log(
    `${output}: ${OPERATIONS.length} operations, ${used.schemas.size} schemas, ${used.headers.size} headers`,
  );
}

await main();
