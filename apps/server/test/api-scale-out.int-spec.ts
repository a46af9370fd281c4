// Several API processes on one port (HTTP_REUSE_PORT): each answers, and a second one without the
// setting is refused instead of silently sharing the port.
import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { start } from '../src/start.js';
import type { Running } from '../src/start.js';
import { startTestInstance } from './test-instance.js';
import type { TestInstance } from './test-instance.js';
import { freePort } from '@tributary/testing';

/** `{ __typename }` over a fresh connection (no keep-alive: each request may reach another process). */
async function typename(url: string): Promise<unknown> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return ((await response.json()) as { data?: unknown }).data;
}

let first: TestInstance | null = null;
const others: Running[] = [];

afterAll(async () => {
  for (const running of others) await running.stop();
  await first?.stop();
});

describe('HTTP_REUSE_PORT', () => {
  it('lets a second API process listen on the same port, and the port keeps answering when either stops', async () => {
    const port = String(await freePort());
    const env = {
      ROLE: 'api',
      PORT: port,
      HTTP_REUSE_PORT: 'true',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    first = await startTestInstance(env);
    const second = await start(first.config);
    others.push(second);
    expect(second.apiUrl).toBe(first.apiUrl);
    for (let i = 0; i < 5; i++) expect(await typename(first.apiUrl)).toEqual({ __typename: 'Query' });

    await first.running.stop();
    for (let i = 0; i < 5; i++) expect(await typename(second.apiUrl!)).toEqual({ __typename: 'Query' });
  });

  it('refuses a second process on a taken port without it', async () => {
    const taken = others[0]!;
    const port = new URL(taken.apiUrl!).port;
    await expect(start({ ...first!.config, PORT: Number(port), HTTP_REUSE_PORT: false })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
