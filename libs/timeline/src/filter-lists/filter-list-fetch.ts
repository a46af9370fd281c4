// Fetching a filter list from where it lives: an https URL (through the private-address guard, with
// a size limit and conditional requests) or a Bluesky list (through the operator's AppView). Every
// failure is a FilterListError saying what went wrong, which the list row shows.
import type { AppViewClient } from '@tributary/connector-bluesky';
import {
  assertSafeInstanceUrl,
  ConnectorError,
  ConnectorErrorCode,
  sharedGuardedDispatcher,
} from '@tributary/core';
import type { InstanceUrlPolicy } from '@tributary/core';
import type { FilterListFormat } from '@tributary/db';
import { FilterListFormatError, NO_META, parseMastodonCsv, parseTributaryList } from '@tributary/pipeline';
import type { FilterListContent } from '@tributary/pipeline';

export const FilterListErrorCode = {
  /** The source is not a URL or list URI we may fetch (private address, not https…). */
  BadSource: 'BAD_SOURCE',
  /** The server did not answer, or not with the list. */
  Unavailable: 'UNAVAILABLE',
  TooLarge: 'TOO_LARGE',
  /** The answer is not a list in the format (line-numbered problems). */
  Invalid: 'INVALID',
} as const;
export type FilterListErrorCode = (typeof FilterListErrorCode)[keyof typeof FilterListErrorCode];

export class FilterListError extends Error {
  override readonly name = 'FilterListError';
  constructor(
    readonly code: FilterListErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface FetchLimits {
  policy: InstanceUrlPolicy;
  maxBytes: number;
  maxEntries: number;
  timeoutMs: number;
  /** The AppView Bluesky lists are read from (BLUESKY_APPVIEW_URL). */
  appView: AppViewClient;
}

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type FetchedList =
  { status: 'unchanged' } | { status: 'fetched'; content: FilterListContent; validators: Validators };

const BLUESKY_LIST_URI =
  /^at:\/\/did:[a-z]+:[a-zA-Z0-9._:%-]+\/app\.bsky\.graph\.list\/[a-zA-Z0-9._~:-]{1,512}$/;

/**
 * A source as stored (one row per source and format): an at:// list URI as given, a URL without its
 * fragment. Refuses anything else with BAD_SOURCE; the format defaults from the source.
 */
export function normalizeSource(
  input: string,
  format: FilterListFormat | null,
): { source: string; format: FilterListFormat } {
  const raw = input.trim();
  if (raw.startsWith('at://')) {
    if (!BLUESKY_LIST_URI.test(raw))
      throw new FilterListError(
        'BAD_SOURCE',
        `not the at:// URI of a Bluesky list (at://<did>/app.bsky.graph.list/<rkey>): ${raw.slice(0, 200)}`,
      );
    if (format !== null && format !== 'BLUESKY_LIST')
      throw new FilterListError('BAD_SOURCE', `an at:// list is a BLUESKY_LIST, not ${format}`);
    return { source: raw, format: 'BLUESKY_LIST' };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FilterListError('BAD_SOURCE', `not a URL or at:// list URI: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new FilterListError('BAD_SOURCE', `a list URL must use https: ${url.protocol}`);
  if (format === 'BLUESKY_LIST')
    throw new FilterListError('BAD_SOURCE', 'a BLUESKY_LIST source is an at:// URI');
  url.hash = '';
  return { source: url.href, format: format ?? 'TRIBUTARY' };
}

/** Reads a list body in its format; FilterListError INVALID with the line-numbered problems. */
export function parseList(body: string, format: FilterListFormat, maxEntries: number): FilterListContent {
  try {
    switch (format) {
      case 'MASTODON_DOMAINS':
        return parseMastodonCsv(body, 'domains', maxEntries);
      case 'MASTODON_ACCOUNTS':
        return parseMastodonCsv(body, 'accounts', maxEntries);
      default:
        return parseTributaryList(body, maxEntries);
    }
  } catch (error) {
    if (error instanceof FilterListFormatError)
      throw new FilterListError('INVALID', `not a valid list: ${error.message}`);
    throw error;
  }
}

/** Fetches a list; `validators` from the stored version make an unchanged list cost a 304. */
export async function fetchList(
  source: string,
  format: FilterListFormat,
  validators: Validators,
  limits: FetchLimits,
): Promise<FetchedList> {
  if (format === 'BLUESKY_LIST') return fetchBlueskyList(source, limits);
  const body = await fetchHttp(source, validators, limits);
  if (body.status === 'unchanged') return body;
  return {
    status: 'fetched',
    content: parseList(body.text, format, limits.maxEntries),
    validators: body.validators,
  };
}

async function fetchBlueskyList(uri: string, limits: FetchLimits): Promise<FetchedList> {
  try {
    const list = await limits.appView.list(uri, limits.maxEntries);
    return {
      status: 'fetched',
      content: {
        meta: { ...NO_META, title: list.name },
        rules: list.members.map((m) => ({ kind: 'account', value: m.did.toLowerCase() })),
      },
      validators: { etag: null, lastModified: null },
    };
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    const code = error.code === ConnectorErrorCode.BadInput ? 'TOO_LARGE' : 'UNAVAILABLE';
    throw new FilterListError(code, `the Bluesky list could not be read: ${error.message}`);
  }
}

async function fetchHttp(
  url: string,
  validators: Validators,
  limits: FetchLimits,
): Promise<{ status: 'unchanged' } | { status: 'fetched'; text: string; validators: Validators }> {
  try {
    await assertSafeInstanceUrl(url, limits.policy);
  } catch (error) {
    if (error instanceof ConnectorError)
      throw new FilterListError('BAD_SOURCE', `list URL refused: ${error.message.replace(/^instance /, '')}`);
    throw error;
  }
  const headers: Record<string, string> = { accept: 'text/plain, text/csv;q=0.9, */*;q=0.5' };
  if (validators.etag !== null) headers['if-none-match'] = validators.etag;
  if (validators.lastModified !== null) headers['if-modified-since'] = validators.lastModified;
  let response: Response;
  try {
    // Every connection (each redirect hop too) goes through the guard's checked lookup.
    response = await fetch(url, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(limits.timeoutMs),
      dispatcher: sharedGuardedDispatcher(limits.policy),
    } as RequestInit);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ConnectorError)
      throw new FilterListError('BAD_SOURCE', `list URL refused: ${cause.message.replace(/^instance /, '')}`);
    throw new FilterListError('UNAVAILABLE', `the list could not be fetched: ${(error as Error).message}`);
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { status: 'unchanged' };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new FilterListError('UNAVAILABLE', `the list URL answered HTTP ${response.status}`);
  }
  const tooLarge = () =>
    new FilterListError('TOO_LARGE', `the list is larger than ${Math.round(limits.maxBytes / 1024)} KiB`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  // Read at most maxBytes, whatever the server declared.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBytes) {
        await reader!.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof FilterListError) throw error;
    throw new FilterListError('UNAVAILABLE', `the list could not be read: ${(error as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new FilterListError('INVALID', 'the list is not UTF-8 text');
  }
  return {
    status: 'fetched',
    text,
    validators: { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') },
  };
}
