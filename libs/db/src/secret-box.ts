// Authenticated encryption for secrets at rest (linked-account credentials, OAuth client secrets):
// AES-256-GCM with a random 96-bit IV per message, as `v1.<iv>.<tag>.<ciphertext>` in base64url.
// The version prefix leaves room for key rotation or another cipher later.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new SecretBoxError(
      `Secret key must be 32 bytes (got ${Buffer.isBuffer(key) ? key.length : typeof key})`,
    );
  }
}

/** Encrypts `plaintext` with a 32-byte key. Every call uses a fresh IV, so equal inputs differ. */
export function seal(plaintext: string, key: Buffer): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypts what `seal` produced. Throws `SecretBoxError` on a wrong key, tampering or bad format. */
export function open(sealed: string, key: Buffer): string {
  checkKey(key);
  const parts = typeof sealed === 'string' ? sealed.split('.') : [];
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new SecretBoxError(`Not a sealed secret (expected "${VERSION}.<iv>.<tag>.<ciphertext>")`);
  }
  const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretBoxError('Sealed secret is malformed (bad IV or tag length)');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('Cannot open sealed secret: wrong key or the data was tampered with');
  }
}
