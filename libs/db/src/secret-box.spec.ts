import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { open, seal, SecretBoxError } from './secret-box.js';

const key = randomBytes(32);

function flipChar(s: string, index: number): string {
  const c = s[index] === 'A' ? 'B' : 'A';
  return s.slice(0, index) + c + s.slice(index + 1);
}

describe('secret-box', () => {
  it('round-trips unicode and empty strings', () => {
    for (const text of ['', 'app-password-1234', 'ünïcødé 🔑 ' + 'x'.repeat(5000)]) {
      expect(open(seal(text, key), key)).toBe(text);
    }
  });

  it('produces the versioned format with a fresh IV each time', () => {
    const a = seal('same', key);
    const b = seal('same', key);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
  });

  it('rejects a wrong key', () => {
    const sealed = seal('secret', key);
    expect(() => open(sealed, randomBytes(32))).toThrow(SecretBoxError);
    expect(() => open(sealed, randomBytes(32))).toThrow(/wrong key or the data was tampered/);
  });

  it('rejects tampering with the ciphertext, tag or IV', () => {
    const sealed = seal('secret value', key);
    const [v, iv, tag, ct] = sealed.split('.') as [string, string, string, string];
    for (const forged of [
      [v, iv, tag, flipChar(ct, 0)],
      [v, iv, flipChar(tag, 0), ct],
      [v, flipChar(iv, 0), tag, ct],
    ]) {
      expect(() => open(forged.join('.'), key)).toThrow(SecretBoxError);
    }
  });

  it('rejects malformed input and bad keys with a clear error', () => {
    expect(() => open('plaintext', key)).toThrow(/Not a sealed secret/);
    expect(() => open('v2.a.b.c', key)).toThrow(/Not a sealed secret/);
    expect(() => open('v1.AAAA.AAAA.AAAA', key)).toThrow(/malformed/);
    expect(() => seal('x', randomBytes(16))).toThrow(/32 bytes/);
  });
});
