// The OAuth returns (Mastodon, Bluesky) without a web build: a plain page with what to paste, every
// value escaped; with a build they are the web app itself (apps/server/test: auth, bluesky-oauth,
// web-client int-specs).
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { WebClientController } from './web-client.controller.js';

interface Sent {
  status: number;
  headers: Record<string, string | number>;
  body: string;
}

/** Just enough of a ServerResponse to record what the controller writes. */
function response(): { res: ServerResponse; sent: Sent } {
  const sent: Sent = { status: 0, headers: {}, body: '' };
  const res = {
    writeHead(status: number, headers: Record<string, string | number>) {
      sent.status = status;
      sent.headers = headers;
      return res;
    },
    end(body: Buffer | string) {
      sent.body = body.toString();
      return res;
    },
  };
  return { res: res as unknown as ServerResponse, sent };
}

/** The controller as it is when dist/web was never built. */
function withoutBuild(): WebClientController {
  return Object.assign(new WebClientController(), { files: null });
}

describe('the OAuth returns without a web build', () => {
  it('shows the Bluesky callback query to paste, escaped, and not cached', () => {
    const { res, sent } = response();
    withoutBuild().blueskyCallback(
      { code: 'cod-<script>alert(1)</script>', state: 'st', iss: 'https://pds.example', extra: ['x'] },
      res,
    );
    expect(sent.status).toBe(200);
    expect(sent.headers['cache-control']).toBe('no-store');
    expect(sent.headers['content-security-policy']).toContain("default-src 'none'");
    expect(sent.body).toContain('Paste this into your Tributary client');
    // The query as completeBlueskyLink takes it, URL-encoded, then HTML-escaped.
    expect(sent.body).toContain('code=cod-%3Cscript%3Ealert%281%29%3C%2Fscript%3E&#38;state=st&#38;iss=');
    expect(sent.body).not.toContain('<script>');
    expect(sent.body).not.toContain('extra'); // only single string values
  });

  it('shows the Mastodon code and state, escaped', () => {
    const { res, sent } = response();
    withoutBuild().mastodonCallback('<b>code</b>', 's"1', res);
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('code: <code>&#60;b&#62;code&#60;/b&#62;</code>');
    expect(sent.body).toContain('state: <code>s&#34;1</code>');
  });
});
