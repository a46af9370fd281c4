// Holds the fake Mastodon to the published description: every response it sends (and every JSON
// request it receives) is checked against `mastodon-contract.json`, the structure of the operations
// and streaming events Tributary uses, derived from Mastodon's OpenAPI description by
// tools/scripts/mastodon-contract.mjs (which also applies, by name, the deviations real servers show).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

interface OpenApiResponse {
  headers?: Record<string, { $ref?: string; schema?: Schema }>;
  content?: Record<string, { schema?: Schema }>;
}
interface OpenApiOperation {
  security?: Record<string, string[]>[];
  responses?: Record<string, OpenApiResponse>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  streaming?: { events: Record<string, Schema> };
  components: { schemas: Record<string, Schema>; headers: Record<string, { schema: Schema }> };
}

const DOC_ID = 'https://tributary.invalid/mastodon-openapi.json';

export const MASTODON_CONTRACT_PATH = fileURLToPath(new URL('./mastodon-contract.json', import.meta.url));

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Local `#/components/...` references, rewritten to point into the registered document. */
function rebase(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema && typeof schema === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(schema)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : rebase(v);
    }
    return out;
  }
  return schema;
}

export class OpenApiValidator {
  readonly doc: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction | null>();
  private readonly templates: { template: string; regex: RegExp }[];

  constructor(schemaPath: string = MASTODON_CONTRACT_PATH) {
    this.doc = JSON.parse(readFileSync(schemaPath, 'utf8')) as OpenApiDocument;
    // Not strict: the contract keeps OpenAPI's own keywords (`security`, `parameters`).
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // Mastodon sends ISO 639-1 codes, and ISO 639-3 for languages without one (e.g. `kab`).
    this.ajv.addFormat('iso-639-1', /^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$/);
    this.ajv.addFormat('scopes', /^[a-z:]+(?: [a-z:]+)*$/);
    this.ajv.addFormat('binary', () => true);
    this.ajv.addSchema({ $id: DOC_ID, components: this.doc.components as unknown as Json } as Schema);
    this.templates = Object.keys(this.doc.paths).map((template) => ({
      template,
      regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/]+?\}/g, '[^/]+')}$`),
    }));
  }

  /** The described path template a concrete path matches (`/api/v1/statuses/1` → `…/{id}`). */
  matchPath(method: string, path: string): string | null {
    const m = method.toLowerCase();
    // Literal segments win over parameters, as in Rails routing (`/accounts/verify_credentials`).
    const hits = this.templates.filter((t) => t.regex.test(path) && this.doc.paths[t.template]?.[m]);
    hits.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
    return hits[0]?.template ?? null;
  }

  hasOperation(method: string, template: string): boolean {
    return !!this.doc.paths[template]?.[method.toLowerCase()];
  }

  private compile(key: string, schema: Schema | undefined): ValidateFunction | null {
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    const fn = schema ? this.ajv.compile(rebase(schema) as Schema) : null;
    this.cache.set(key, fn);
    return fn;
  }

  private errors(fn: ValidateFunction | null, value: unknown, where: string): string[] {
    if (!fn || fn(value)) return [];
    return (fn.errors ?? [])
      .slice(0, 8)
      .map((e) => `${where}${e.instancePath || '/'} ${e.message ?? ''}`.trim());
  }

  /** Violations of one response against the description of `method template` and its status. */
  validateResponse(r: {
    method: string;
    template: string;
    status: number;
    headers: Record<string, string | undefined>;
    body: unknown;
  }): string[] {
    const op = this.doc.paths[r.template]?.[r.method.toLowerCase()];
    const where = `${r.method.toUpperCase()} ${r.template} ${r.status}`;
    if (!op) return [`${where}: operation not in the description`];
    const desc = op.responses?.[String(r.status)];
    if (!desc) return [`${where}: status not in the description`];
    const out: string[] = [];
    for (const [name, h] of Object.entries(desc.headers ?? {})) {
      const value = r.headers[name.toLowerCase()];
      if (value === undefined) continue;
      const ref = h.$ref?.replace('#/components/headers/', '');
      const schema = ref ? this.doc.components.headers[ref]?.schema : h.schema;
      const typed = schema?.['type'] === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
      out.push(...this.errors(this.compile(`header:${name}`, schema), typed, `${where} header ${name}`));
    }
    const json = desc.content?.['application/json'];
    if (json && r.body === undefined) out.push(`${where}: JSON body expected`);
    if (json && r.body !== undefined) {
      out.push(...this.errors(this.compile(`res:${where}`, json.schema), r.body, `${where} body`));
    }
    return out;
  }

  /**
   * Violations of a JSON request body against the operation's described request body. A top-level
   * `oneOf` is read as "any of": the description lists overlapping kinds of request that way, and
   * taken strictly it refuses what Mastodon accepts and documents (`POST /api/v1/statuses` with both
   * `status` and `media_ids` matches TextStatus and MediaStatus).
   */
  validateRequestBody(method: string, template: string, body: unknown): string[] {
    const op = this.doc.paths[template]?.[method.toLowerCase()];
    const described = op?.requestBody?.content?.['application/json']?.schema;
    const { oneOf, ...rest } = described ?? {};
    const schema: Schema | undefined = described && oneOf ? { ...rest, anyOf: oneOf } : described;
    const where = `${method.toUpperCase()} ${template} request`;
    return schema ? this.errors(this.compile(`req:${where}`, schema), body, `${where} body`) : [];
  }

  /** The OAuth scopes the operation asks for (any one of them is enough); empty when it asks for none. */
  requiredScopes(method: string, template: string): string[] {
    const op = this.doc.paths[template]?.[method.toLowerCase()];
    return (op?.security ?? []).flatMap((requirement) => Object.values(requirement).flat());
  }

  /** Violations of one streaming event's payload (`update`: a Status, `delete`: an id…). */
  validateStreamingEvent(event: string, payload: unknown): string[] {
    const schema = this.doc.streaming?.events[event];
    if (!schema) return [`streaming event ${event} not in the contract`];
    const entity = typeof schema['$ref'] === 'string' ? ` ${schema['$ref'].split('/').pop()}` : '';
    return this.errors(this.compile(`event:${event}`, schema), payload, `streaming ${event}${entity}`);
  }

  /** Violations of one value against a named component schema (e.g. a streamed `Status`). */
  validateEntity(name: string, value: unknown): string[] {
    if (!this.doc.components.schemas[name]) return [`unknown schema ${name}`];
    const fn = this.compile(`entity:${name}`, { $ref: `#/components/schemas/${name}` });
    return this.errors(fn, value, name);
  }
}
