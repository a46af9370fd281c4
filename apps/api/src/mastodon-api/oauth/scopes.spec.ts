import { describe, expect, it } from '@jest/globals';
import { covers, parseScopes, within } from './scopes.js';

describe('OAuth scopes', () => {
  it('accepts the usual sets and supersets, space- or plus-separated, and refuses unknown ones', () => {
    expect(parseScopes('read write follow push', [])).toEqual(['read', 'write', 'follow', 'push']);
    expect(parseScopes('read+write+follow+push+profile', [])).toEqual([
      'read',
      'write',
      'follow',
      'push',
      'profile',
    ]);
    expect(parseScopes(['read:statuses', 'write:media', 'admin:read:accounts'], [])).toHaveLength(3);
    expect(parseScopes(undefined, ['read'])).toEqual(['read']);
    expect(parseScopes('read everything', [])).toBeNull();
  });

  it('lets a top-level scope cover its granular forms, not the other way round', () => {
    expect(covers(['read'], 'read:statuses')).toBe(true);
    expect(covers(['read:statuses'], 'read')).toBe(false);
    expect(covers(['admin:read'], 'admin:read:accounts')).toBe(true);
    expect(within(['read', 'write:media'], ['read', 'write'])).toBe(true);
    expect(within(['read', 'push'], ['read', 'write'])).toBe(false);
  });
});
