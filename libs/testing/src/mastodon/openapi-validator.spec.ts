import { describe, expect, it } from '@jest/globals';
import { OpenApiValidator } from './openapi-validator.js';
import {
  account,
  boostStatus,
  hostileStatus,
  malformedStatuses,
  quoteStatus,
  replyStatus,
  richStatus,
  validStatus,
} from './status-fixtures.js';

const validator = new OpenApiValidator();
const home = (body: unknown, status = 200, headers: Record<string, string> = {}): string[] =>
  validator.validateResponse({ method: 'GET', template: '/api/v1/timelines/home', status, headers, body });

describe('OpenApiValidator', () => {
  it('accepts statuses shaped as Mastodon 4.4 sends them', () => {
    expect(
      home([validStatus('1'), richStatus(), boostStatus(), replyStatus(), quoteStatus(), hostileStatus()]),
    ).toEqual([]);
  });

  it('rejects a status missing required fields or with wrong types', () => {
    const noAccount = { ...validStatus('1') } as Record<string, unknown>;
    delete noAccount['account'];
    expect(home([noAccount]).join('\n')).toMatch(/must have required property 'account'/);
    expect(home([{ ...validStatus('1'), id: 1 }]).join('\n')).toMatch(/\/0\/id must be string/);
    expect(home([{ ...validStatus('1'), visibility: 'everyone' }]).join('\n')).toMatch(
      /visibility must be equal to one of the allowed values/,
    );
    expect(home([{ ...validStatus('1'), created_at: 'yesterday' }]).join('\n')).toMatch(
      /created_at must match format "date-time"/,
    );
    for (const { status } of malformedStatuses()) expect(home([status])).not.toEqual([]);
  });

  it('accepts a new status with text, media or both, and refuses one with neither', () => {
    const post = (body: unknown) => validator.validateRequestBody('POST', '/api/v1/statuses', body);
    expect(post({ status: 'hello' })).toEqual([]);
    expect(post({ media_ids: ['1'] })).toEqual([]);
    expect(post({ status: 'a heron', media_ids: ['1'] })).toEqual([]);
    expect(post({ visibility: 'public' })).not.toEqual([]);
  });

  it('rejects a body where the description wants an array, and an undescribed status code', () => {
    expect(home(validStatus('1'))).not.toEqual([]);
    expect(home({ error: 'boom' }, 500)).toEqual([
      'GET /api/v1/timelines/home 500: status not in the description',
    ]);
    expect(home({ error: 'slow down' }, 429)).toEqual([]);
    expect(home({ message: 'slow down' }, 429).join('\n')).toMatch(/must have required property 'error'/);
  });

  it('checks described headers', () => {
    expect(
      home([], 200, { 'x-ratelimit-remaining': '299', 'x-ratelimit-reset': '2026-11-23T10:05:00.000Z' }),
    ).toEqual([]);
    expect(home([], 200, { 'x-ratelimit-remaining': 'lots' }).join('\n')).toMatch(/X-RateLimit-Remaining/);
    expect(home([], 200, { 'x-ratelimit-reset': 'soon' }).join('\n')).toMatch(/X-RateLimit-Reset/);
  });

  it('checks named entities and request bodies', () => {
    expect(validator.validateEntity('Status', validStatus('1'))).toEqual([]);
    expect(validator.validateEntity('Status', { id: '1' })).not.toEqual([]);
    expect(
      validator.validateRequestBody('POST', '/api/v1/apps', {
        client_name: 'x',
        redirect_uris: ['https://a.example/cb'],
      }),
    ).toEqual([]);
    expect(
      validator.validateRequestBody('POST', '/api/v1/apps', {
        client_name: 'x',
        redirect_uris: 'https://a.example/cb',
      }),
    ).not.toEqual([]);
  });

  it('checks streaming events and tells the scopes an operation needs', () => {
    expect(validator.validateStreamingEvent('update', validStatus('1'))).toEqual([]);
    expect(validator.validateStreamingEvent('status.update', { id: '1' }).join('\n')).toMatch(
      /streaming status.update Status\/ must have required property 'account'/,
    );
    expect(validator.validateStreamingEvent('delete', '1')).toEqual([]);
    expect(validator.validateStreamingEvent('delete', { id: '1' })).not.toEqual([]);
    expect(validator.requiredScopes('POST', '/api/v2/media')).toEqual(['write:media']);
    expect(validator.requiredScopes('POST', '/api/v1/apps')).toEqual([]);
  });

  it('accepts what real Mastodon-API servers send beyond the description, and only that', () => {
    const bare = account('bare');
    delete bare['uri'];
    delete bare['group'];
    delete bare['indexable'];
    expect(validator.validateEntity('Account', bare)).toEqual([]);
    const noUsername = { ...bare };
    delete noUsername['username'];
    expect(validator.validateEntity('Account', noUsername)).not.toEqual([]);
    // The quoted status itself with `quote_id` (servers before Mastodon 4.4 quotes).
    expect(
      validator.validateEntity('Status', { ...validStatus('2'), quote: validStatus('1'), quote_id: '1' }),
    ).toEqual([]);
    expect(validator.validateEntity('Status', { ...validStatus('2'), quote: { id: '1' } })).not.toEqual([]);
    // GoToSocial's X-RateLimit-Reset, a Unix timestamp.
    expect(home([], 200, { 'x-ratelimit-reset': '1767225600' })).toEqual([]);
    // A token without the operation's scope.
    expect(
      validator.validateResponse({
        method: 'POST',
        template: '/api/v2/media',
        status: 403,
        headers: {},
        body: { error: 'insufficient_scope' },
      }),
    ).toEqual([]);
  });

  it('matches concrete paths to described templates, literal segments first', () => {
    expect(validator.matchPath('GET', '/api/v1/accounts/verify_credentials')).toBe(
      '/api/v1/accounts/verify_credentials',
    );
    expect(validator.matchPath('GET', '/api/v1/timelines/tag/cats')).toBe('/api/v1/timelines/tag/{hashtag}');
    expect(validator.matchPath('GET', '/api/v1/nonsense')).toBeNull();
  });
});
