// Statuses shaped as Mastodon 4.4 sends them (snake_case JSON), for unit tests of the normalizer
// and of the description validator. `validStatus` and friends validate against the description;
// `malformed` ones deliberately do not.

type Obj = Record<string, unknown>;

export const ORIGIN = 'https://social.example';

export function account(username: string, overrides: Obj = {}): Obj {
  return {
    id: `10${username.length}`,
    username,
    acct: username,
    display_name: username[0]?.toUpperCase() + username.slice(1),
    locked: false,
    bot: false,
    discoverable: true,
    indexable: true,
    group: false,
    created_at: '2023-04-01T00:00:00.000Z',
    note: '<p>hi</p>',
    url: `${ORIGIN}/@${username}`,
    uri: `${ORIGIN}/users/${username}`,
    avatar: `${ORIGIN}/avatars/${username}.png`,
    avatar_static: `${ORIGIN}/avatars/${username}.png`,
    header: `${ORIGIN}/headers/missing.png`,
    header_static: `${ORIGIN}/headers/missing.png`,
    followers_count: 3,
    following_count: 4,
    statuses_count: 5,
    last_status_at: '2026-11-20',
    emojis: [],
    fields: [],
    ...overrides,
  };
}

export function validStatus(id: string, overrides: Obj = {}): Obj {
  return {
    id,
    created_at: '2026-11-23T10:00:00.000Z',
    in_reply_to_id: null,
    in_reply_to_account_id: null,
    sensitive: false,
    spoiler_text: '',
    visibility: 'public',
    language: 'en',
    uri: `${ORIGIN}/users/alice/statuses/${id}`,
    url: `${ORIGIN}/@alice/${id}`,
    replies_count: 1,
    reblogs_count: 2,
    favourites_count: 3,
    quotes_count: 0,
    edited_at: null,
    favourited: false,
    reblogged: false,
    muted: false,
    bookmarked: false,
    content: '<p>Hello world</p>',
    filtered: [],
    reblog: null,
    application: { name: 'Web', website: null },
    account: account('alice'),
    media_attachments: [],
    mentions: [],
    tags: [],
    emojis: [],
    quote: null,
    card: null,
    poll: null,
    ...overrides,
  };
}

export const richStatus = (): Obj =>
  validStatus('113000000000000001', {
    content:
      '<p>Hi <span class="h-card" translate="no"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span> &amp; friends, see <a href="https://example.com/a/very/long/path" target="_blank" rel="nofollow noopener"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/</span><span class="invisible">long/path</span></a><br />new line <a href="https://social.example/tags/Cats" class="mention hashtag" rel="tag">#<span>Cats</span></a></p><p>Second paragraph</p>',
    mentions: [{ id: '7', username: 'bob', acct: 'bob@other.example', url: 'https://other.example/@bob' }],
    tags: [{ name: 'cats', url: 'https://social.example/tags/cats' }],
    spoiler_text: 'Spoilers for the finale',
    sensitive: true,
    language: 'de',
    media_attachments: [
      {
        id: '22',
        type: 'image',
        url: `${ORIGIN}/media/22.png`,
        preview_url: `${ORIGIN}/media/22-small.png`,
        remote_url: null,
        description: 'A cat on a keyboard',
        blurhash: 'UeKUpFxuo~R%0nW;WCnhF6RjaJt757oJodS$',
        meta: {
          original: { width: 1200, height: 800 },
          small: { width: 400, height: 267 },
          focus: { x: -0.25, y: 0.5 },
        },
      },
      {
        id: '23',
        type: 'gifv',
        url: `${ORIGIN}/media/23.mp4`,
        preview_url: null,
        remote_url: null,
        description: null,
        blurhash: null,
        meta: null,
      },
    ],
    card: {
      url: 'https://example.com/a/very/long/path',
      title: 'A long read',
      description: 'About cats',
      type: 'link',
      author_name: '',
      author_url: 'https://example.com/',
      authors: [],
      provider_name: 'example.com',
      provider_url: 'https://example.com/',
      html: '',
      width: 400,
      height: 200,
      image: 'https://example.com/card.png',
      embed_url: 'https://example.com/a/very/long/path',
      blurhash: null,
      published_at: null,
    },
    filtered: [
      {
        filter: { id: '5', title: 'Spoilers', context: ['home'], filter_action: 'warn', expires_at: null },
        keyword_matches: ['finale'],
        status_matches: [],
      },
    ],
  });

export const boostStatus = (): Obj =>
  validStatus('113000000000000009', {
    account: account('carol'),
    uri: `${ORIGIN}/users/carol/statuses/113000000000000009/activity`,
    url: `${ORIGIN}/users/carol/statuses/113000000000000009/activity`,
    created_at: '2026-11-23T11:00:00.000Z',
    content: '',
    reblog: validStatus('113000000000000002', { content: '<p>Boosted</p>' }),
  });

export const replyStatus = (): Obj =>
  validStatus('113000000000000003', {
    in_reply_to_id: '113000000000000002',
    in_reply_to_account_id: '7',
    mentions: [{ id: '7', username: 'bob', acct: 'bob@other.example', url: 'https://other.example/@bob' }],
    content:
      '<p><span class="h-card"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span> agreed</p>',
  });

export const quoteStatus = (): Obj =>
  validStatus('113000000000000004', {
    content: '<p>Look at this</p>',
    quote: {
      state: 'accepted',
      quoted_status: validStatus('113000000000000002', {
        account: account('dave'),
        uri: `${ORIGIN}/users/dave/statuses/113000000000000002`,
        content: '<p>Original thought</p>',
        quote: { state: 'accepted', quoted_status_id: '113000000000000001' },
      }),
    },
  });

export const hostileStatus = (): Obj =>
  validStatus('113000000000000005', {
    content:
      '<p>safe<script>alert("xss")</script><style>body{display:none}</style><img src=x onerror="alert(1)"><iframe src="https://evil.example/"></iframe>' +
      '<a href="javascript:alert(1)">click</a> <a href="data:text/html;base64,PHNjcmlwdD4=">data</a> ' +
      '<a href="https://ok.example/" onclick="steal()" style="color:red">ok</a><b onmouseover="x()">bold</b>&lt;script&gt;</p>',
  });

/** Not valid against the description and not usable: each needs its own skip reason. */
export const malformedStatuses = (): { name: string; status: unknown }[] => [
  { name: 'not an object', status: 'just a string' },
  { name: 'null', status: null },
  { name: 'missing id', status: { ...validStatus('1'), id: undefined } },
  { name: 'numeric id', status: { ...validStatus('1'), id: 1 } },
  { name: 'missing account', status: { ...validStatus('1'), account: null } },
  { name: 'bad created_at', status: { ...validStatus('1'), created_at: 'yesterday' } },
  { name: 'content not a string', status: { ...validStatus('1'), content: { html: '<p>x</p>' } } },
  { name: 'missing uri', status: { ...validStatus('1'), uri: undefined } },
];
