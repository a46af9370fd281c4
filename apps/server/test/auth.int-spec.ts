import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { AuthService } from '../../api/src/auth/auth.service.js';
import { Passwords } from '../../api/src/auth/passwords.js';
import { codeOf, graphqlClient } from '../../api/src/testing/graphql-client.js';
import type { GraphqlResponse } from '../../api/src/testing/graphql-client.js';
import { LiveSubscription, liveClient } from '../../api/src/testing/graphql-ws-client.js';
import type { WsClosed } from '../../api/src/testing/graphql-ws-client.js';
import { start } from '../src/start.js';
import type { TestInstance } from './test-instance.js';
import { startTestInstance } from './test-instance.js';

const SIGN_UP = `mutation($invite: String!, $username: String!, $password: String!) {
  signUp(invite: $invite, username: $username, password: $password) { token user { id username role } tokenInfo { id } }
}`;
const LOGIN = `mutation($username: String!, $password: String!) {
  login(username: $username, password: $password) { token tokenInfo { id } user { id } }
}`;

let instance: TestInstance;
let gql: ReturnType<typeof graphqlClient>;
let adminInvite: string;
// Everything the service logs during this file, to prove no secret is ever written there.
let logged = '';
const writes = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(async () => {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    logged += String(chunk);
    return writes.out(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    logged += String(chunk);
    return writes.err(chunk, ...rest);
  }) as typeof process.stderr.write;
  instance = await startTestInstance({ ROLE: 'api', LOG_LEVEL: 'verbose' });
  gql = graphqlClient(instance.apiUrl);
  const auth = instance.running.apps[0]!.get(AuthService);
  adminInvite = (await auth.createInvite(null, 'ADMIN')).code;
});

afterAll(async () => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  await instance?.stop();
});

describe('invite sign-up, login and tokens', () => {
  const password = 'correct horse battery staple';
  let adminToken: string;

  it('signs up the first administrator with the bootstrap invite', async () => {
    const res = await gql<{ signUp: { token: string; user: { role: string; username: string } } }>(SIGN_UP, {
      invite: adminInvite,
      username: 'Admin',
      password,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.signUp.user).toMatchObject({ username: 'admin', role: 'ADMIN' });
    expect(res.data?.signUp.token).toMatch(/^trb_/);
    adminToken = res.data!.signUp.token;
    const me = await gql<{ me: { username: string } }>('{ me { username role } }', {}, adminToken);
    expect(me.data?.me).toEqual({ username: 'admin', role: 'ADMIN' });
  });

  it('refuses an invite that was already used', async () => {
    const res = await gql(SIGN_UP, { invite: adminInvite, username: 'second', password });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/invite/);
  });

  it('refuses unknown invites, short passwords and bad usernames with the field named', async () => {
    expect(codeOf(await gql(SIGN_UP, { invite: 'inv_nope', username: 'someone', password }))).toBe(
      'BAD_USER_INPUT',
    );
    const invite = await createInvite(adminToken);
    const short = await gql(SIGN_UP, { invite, username: 'someone', password: 'short' });
    expect(codeOf(short)).toBe('BAD_USER_INPUT');
    expect(short.errors?.[0]?.extensions?.['field']).toBe('password');
    const bad = await gql(SIGN_UP, { invite, username: 'no spaces allowed', password });
    expect(bad.errors?.[0]?.extensions?.['field']).toBe('username');
  });

  it('lets an admin invite members; members cannot invite', async () => {
    const invite = await createInvite(adminToken);
    const member = await gql<{ signUp: { token: string; user: { role: string } } }>(SIGN_UP, {
      invite,
      username: 'member',
      password,
    });
    expect(member.data?.signUp.user.role).toBe('MEMBER');
    const denied = await gql('mutation { createInvite { code } }', {}, member.data!.signUp.token);
    expect(codeOf(denied)).toBe('FORBIDDEN');
    expect(codeOf(await gql('{ invites { id } }', {}, member.data!.signUp.token))).toBe('FORBIDDEN');
  });

  it('gives one invite to exactly one of two concurrent sign-ups', async () => {
    const invite = await createInvite(adminToken);
    const results = await Promise.all(
      ['racer1', 'racer2'].map((username) => gql(SIGN_UP, { invite, username, password })),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
  });

  it('logs in with the right password only, with one message for unknown user and bad password', async () => {
    const wrong = await gql(LOGIN, { username: 'admin', password: 'wrong password!' });
    const unknown = await gql(LOGIN, { username: 'nobody', password });
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    const ok = await gql<{ login: { token: string } }>(LOGIN, { username: 'ADMIN', password });
    expect(ok.data?.login.token).toMatch(/^trb_/);
  });

  it('lists tokens and revokes one: it stops working, the others do not', async () => {
    const a = await gql<{ login: { token: string; tokenInfo: { id: string } } }>(LOGIN, {
      username: 'admin',
      password,
    });
    const b = await gql<{ login: { token: string } }>(LOGIN, { username: 'admin', password });
    const tokenA = a.data!.login.token;
    const tokenB = b.data!.login.token;
    const list = await gql<{ tokens: { id: string; current: boolean; revokedAt: string | null }[] }>(
      '{ tokens { id current revokedAt } }',
      {},
      tokenA,
    );
    expect(list.data?.tokens.find((t) => t.current)?.id).toBe(a.data!.login.tokenInfo.id);

    const revoke = await gql<{ revokeToken: { revokedAt: string | null } }>(
      'mutation($id: ID!) { revokeToken(id: $id) { revokedAt } }',
      { id: a.data!.login.tokenInfo.id },
      tokenB,
    );
    expect(revoke.data?.revokeToken.revokedAt).not.toBeNull();
    expect(codeOf(await gql('{ me { id } }', {}, tokenA))).toBe('UNAUTHENTICATED');
    expect((await gql('{ me { id } }', {}, tokenB)).errors).toBeUndefined();
  });

  it('a token revoked through one API process stops working at once in another, open subscriptions included', async () => {
    const other = await start(instance.config); // a second API process of the same instance
    try {
      const gqlOther = graphqlClient(other.apiUrl!);
      const login = await gql<{ login: { token: string; tokenInfo: { id: string } } }>(LOGIN, {
        username: 'admin',
        password,
      });
      const { token, tokenInfo } = login.data!.login;
      // The other process verifies the token, and remembers it (for 30 s without the announcement).
      expect((await gqlOther('{ me { id } }', {}, token)).errors).toBeUndefined();
      const live = liveClient(other.apiUrl!, token);
      await live.acknowledged;

      await gql('mutation($id: ID!) { revokeToken(id: $id) { id } }', { id: tokenInfo.id }, adminToken);
      // A deadline, not a timing claim: without the announcement the close came after 30 s or more.
      const deadline = new Promise<WsClosed>((resolve) =>
        setTimeout(
          () => resolve({ code: 0, reason: 'still open 10 s after the revocation' }),
          10_000,
        ).unref(),
      );
      expect(await Promise.race([live.closed, deadline])).toEqual({
        code: 4401,
        reason: expect.stringMatching(/revoked/),
      });
      expect(codeOf(await gqlOther('{ me { id } }', {}, token))).toBe('UNAUTHENTICATED');
      await live.dispose();
    } finally {
      await other.stop();
    }
  });

  it('refuses an expired token and records when a token was last used', async () => {
    const db = new pg.Client({ connectionString: instance.config.DATABASE_URL });
    await db.connect();
    try {
      const login = () =>
        gql<{ login: { token: string; tokenInfo: { id: string } } }>(LOGIN, { username: 'admin', password });
      const expiring = (await login()).data!.login;
      await db.query(
        `UPDATE "ApiToken" SET "expiresAt" = now() AT TIME ZONE 'UTC' - interval '1 minute' WHERE id = $1`,
        [expiring.tokenInfo.id],
      );
      expect(codeOf(await gql('{ me { id } }', {}, expiring.token))).toBe('UNAUTHENTICATED');

      const used = (await login()).data!.login;
      const before = Date.now();
      expect((await gql('{ me { id } }', {}, used.token)).errors).toBeUndefined();
      const list = await gql<{ tokens: { id: string; lastUsedAt: string | null }[] }>(
        '{ tokens { id lastUsedAt } }',
        {},
        used.token,
      );
      const lastUsedAt = Date.parse(list.data!.tokens.find((t) => t.id === used.tokenInfo.id)!.lastUsedAt!);
      expect(Math.abs(lastUsedAt - before)).toBeLessThan(5_000);
    } finally {
      await db.end();
    }
  });

  it('refuses missing, malformed and unknown tokens', async () => {
    expect(codeOf(await gql('{ me { id } }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql('{ me { id } }', {}, 'not-a-token'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql('{ me { id } }', {}, `trb_${'x'.repeat(43)}`))).toBe('UNAUTHENTICATED');
  });

  it('stores and logs no password, token or invite code in plaintext', async () => {
    const invite = await createInvite(adminToken);
    const login = await gql<{ login: { token: string } }>(LOGIN, { username: 'admin', password });
    const secrets = [password, adminToken, login.data!.login.token, invite, adminInvite];
    const client = new pg.Client({ connectionString: instance.databaseUrl });
    await client.connect();
    try {
      for (const table of ['User', 'ApiToken', 'Invite']) {
        const { rows } = await client.query(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
        expect(rows.length).toBeGreaterThan(0);
        for (const { row } of rows as { row: string }[]) {
          for (const secret of secrets) expect(row).not.toContain(secret);
        }
      }
    } finally {
      await client.end();
    }
    expect(logged).toContain('user admin signed up'); // the log capture works
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });

  it('answers a malformed id with NOT_FOUND and no stack trace', async () => {
    const res = await gql('mutation { revokeToken(id: "not-a-uuid") { id } }', {}, adminToken);
    expect(codeOf(res)).toBe('NOT_FOUND');
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|\.ts:\d+|prisma/i);
  });

  it('answers the public health route without a token', async () => {
    const res = await fetch(`${instance.apiUrl}/health`);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers the Mastodon OAuth callback with the web app, never echoing the code into the page', async () => {
    const res = await fetch(
      `${instance.apiUrl}/oauth/mastodon/callback?code=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=s1`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('/web/assets/');
    expect(html).not.toContain('alert(1)');
  });

  describe('abuse', () => {
    it('checks the invite before hashing the password: a bad invite costs no hash', async () => {
      const hash = jest.spyOn(instance.running.apps[0]!.get(Passwords), 'hash');
      try {
        for (let i = 0; i < 5; i++) {
          const res = await gql(SIGN_UP, { invite: `inv_guess${i}`, username: `guess${i}`, password });
          expect(codeOf(res)).toBe('BAD_USER_INPUT');
        }
        expect(hash).not.toHaveBeenCalled();
      } finally {
        hash.mockRestore();
      }
    });

    it('refuses login and signUp aliased or beside another field, before hashing anything', async () => {
      const verify = jest.spyOn(instance.running.apps[0]!.get(Passwords), 'verify');
      try {
        const logins = Array.from(
          { length: 20 },
          (_, i) => `a${i}: login(username: "admin", password: "guess ${i} of many") { token }`,
        );
        const aliased = await gql(`mutation { ${logins.join(' ')} }`);
        expect(codeOf(aliased)).toBe('BAD_USER_INPUT');
        expect(aliased.errors![0]!.message).toBe(
          'login must be the only field of its operation (no aliases, no other mutations)',
        );
        const beside = await gql(
          `mutation { login(username: "admin", password: "x") { token } signUp(invite: "i", username: "u", password: "p") { token } }`,
        );
        expect(codeOf(beside)).toBe('BAD_USER_INPUT');
        // Through a fragment too.
        const spread = await gql(
          'mutation { ...L login(username: "admin", password: "y") { token } } fragment L on Mutation { b: login(username: "admin", password: "z") { token } }',
        );
        expect(codeOf(spread)).toBe('BAD_USER_INPUT');
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
    });

    it('refuses the 21st login attempt for one username within the hour, even with the right password', async () => {
      const invite = await createInvite(adminToken);
      expect((await gql(SIGN_UP, { invite, username: 'target', password })).errors).toBeUndefined();
      // A successful login clears the failures before it.
      for (let i = 0; i < 19; i++) {
        expect(codeOf(await gql(LOGIN, { username: 'target', password: `guess number ${i}` }))).toBe(
          'UNAUTHENTICATED',
        );
      }
      expect((await gql(LOGIN, { username: 'target', password })).errors).toBeUndefined();
      const verify = jest.spyOn(instance.running.apps[0]!.get(Passwords), 'verify');
      try {
        for (let i = 0; i < 20; i++) {
          expect(codeOf(await gql(LOGIN, { username: 'Target', password: `guess number ${i}` }))).toBe(
            'UNAUTHENTICATED',
          );
        }
        const limited = await gql(LOGIN, { username: 'target', password });
        expect(codeOf(limited)).toBe('RATE_LIMITED');
        const retryAt = Date.parse(String(limited.errors![0]!.extensions!['retryAt']));
        expect(retryAt).toBeGreaterThan(Date.now());
        expect(retryAt).toBeLessThanOrEqual(Date.now() + 3600_000);
        expect(verify).toHaveBeenCalledTimes(20); // the refused attempt hashed nothing
      } finally {
        verify.mockRestore();
      }
      // Other usernames are not affected.
      expect((await gql(LOGIN, { username: 'admin', password })).errors).toBeUndefined();
    });

    it("counts deleteMyAccount's wrong passwords as failed logins, and refuses it aliased", async () => {
      // Each confirmation costs a hash and is a guess: a stolen token must not be a way to guess
      // the password without limit, 20 aliases to a request.
      const invite = await createInvite(adminToken);
      const signedUp = await gql<{ signUp: { token: string } }>(SIGN_UP, {
        invite,
        username: 'confirmer',
        password,
      });
      const token = signedUp.data!.signUp.token;
      const DELETE = 'mutation($p: String!) { deleteMyAccount(password: $p) }';
      const verify = jest.spyOn(instance.running.apps[0]!.get(Passwords), 'verify');
      try {
        const guesses = Array.from(
          { length: 20 },
          (_, i) => `a${i}: deleteMyAccount(password: "guess ${i}")`,
        );
        const aliased = await gql(`mutation { ${guesses.join(' ')} }`, {}, token);
        expect(codeOf(aliased)).toBe('BAD_USER_INPUT');
        expect(aliased.errors![0]!.message).toBe(
          'deleteMyAccount must be the only field of its operation (no aliases, no other mutations)',
        );
        expect(verify).not.toHaveBeenCalled();

        for (let i = 0; i < 20; i++)
          expect(codeOf(await gql(DELETE, { p: `guess number ${i}` }, token))).toBe('BAD_USER_INPUT');
        const limited = await gql(DELETE, { p: password }, token);
        expect(codeOf(limited)).toBe('RATE_LIMITED');
        // The same count as the username's logins: logging in is refused too, and nothing was deleted.
        expect(codeOf(await gql(LOGIN, { username: 'confirmer', password }))).toBe('RATE_LIMITED');
        expect(verify).toHaveBeenCalledTimes(20);
      } finally {
        verify.mockRestore();
      }
      expect((await gql<{ me: { username: string } }>('{ me { username } }', {}, token)).data?.me).toEqual({
        username: 'confirmer',
      });
    });

    it('refuses login over graphql-ws (its limits count HTTP client addresses)', async () => {
      const live = liveClient(instance.apiUrl, adminToken);
      try {
        await live.acknowledged;
        const sub = new LiveSubscription(
          live.client,
          `mutation { login(username: "admin", password: "${password}") { token } }`,
        );
        const result = await sub.next();
        expect(codeOf(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0]!.message).toBe('sign up and log in over HTTP (POST /graphql)');
      } finally {
        await live.dispose();
      }
    });
  });

  async function createInvite(token: string): Promise<string> {
    const res = await gql<{ createInvite: { code: string } }>(
      'mutation { createInvite { code } }',
      {},
      token,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.createInvite.code;
  }
});

describe('attempts per client address', () => {
  const login = (apiUrl: string, forwardedFor: string) =>
    fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: LOGIN, variables: { username: 'nobody', password: 'not the password' } }),
    }).then(async (response) => codeOf((await response.json()) as GraphqlResponse));
  const started: TestInstance[] = [];
  const limited = async (env: Record<string, string>) => {
    const api = await startTestInstance({ ROLE: 'api', AUTH_ATTEMPTS_PER_IP_PER_HOUR: '3', ...env });
    started.push(api);
    return api.apiUrl;
  };

  afterAll(async () => {
    for (const api of started) await api.stop();
  });

  it('counts the connection address, ignoring X-Forwarded-For unless TRUST_PROXY says whom to believe', async () => {
    const direct = await limited({});
    const codes = [];
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'])
      codes.push(await login(direct, address));
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);

    const proxied = await limited({ TRUST_PROXY: 'loopback' });
    for (let i = 0; i < 3; i++) expect(await login(proxied, '203.0.113.1')).toBe('UNAUTHENTICATED');
    expect(await login(proxied, '203.0.113.1')).toBe('RATE_LIMITED');
    expect(await login(proxied, '203.0.113.2')).toBe('UNAUTHENTICATED');
    // An IPv6 client is counted by its /64.
    for (let i = 1; i <= 3; i++) expect(await login(proxied, `2001:db8:1:2::${i}`)).toBe('UNAUTHENTICATED');
    expect(await login(proxied, '2001:db8:1:2:ffff::9')).toBe('RATE_LIMITED');
  });
});
