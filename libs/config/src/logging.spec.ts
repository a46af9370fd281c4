import { describe, expect, it } from '@jest/globals';
import { scrubSecrets } from './logging.js';

describe('scrubSecrets', () => {
  it('takes out bearer tokens, tokens and passwords in query strings or forms, and Tributary tokens', () => {
    expect(scrubSecrets('GET wss://m.example/api/v1/streaming?stream=user&access_token=abc123 failed')).toBe(
      'GET wss://m.example/api/v1/streaming?stream=user&access_token=[redacted] failed',
    );
    expect(scrubSecrets('sent Authorization: Bearer eyJhbGciOi.x.y, got 401')).toBe(
      'sent Authorization: Bearer [redacted], got 401',
    );
    expect(scrubSecrets('grant_type=password&password=hunter2&client_secret=s3cr3t')).toBe(
      'grant_type=password&password=[redacted]&client_secret=[redacted]',
    );
    expect(scrubSecrets(`token trb_${'x'.repeat(43)} revoked`)).toBe('token [redacted] revoked');
  });

  it('leaves ordinary text alone', () => {
    const text = 'source 42: more than 500 new items; syncing again';
    expect(scrubSecrets(text)).toBe(text);
  });
});
