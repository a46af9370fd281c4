import { describe, expect, it } from '@jest/globals';
import { formatTributaryList, parseExpires, parseTributaryList } from './list-format.js';
import { parseMastodonCsv } from './mastodon-csv.js';
import { FilterListFormatError, ruleName } from './rules.js';

const LIST = `! Title: AI slop
! Homepage: https://lists.example/ai
# Version: 2026.12.1
! Expires: 4 days (update frequency)
! a comment
# another comment, with a # in it

did:plc:abcdefghijklmnopqrstuvwx
@Bot@Spam.Example
user@other.example
@slop.bsky.social
account https://spam.example/users/Bot2
domain *.content-farm.example
instance bad.instance
#AIArt
tag midjourney
word generated with AI
phrase   hot   take
contains xyz
label AI-Generated
#aiart
`;

describe('Tributary filter-list format', () => {
  it('reads every kind of rule, canonical, once, and the metadata', () => {
    const list = parseTributaryList(LIST);
    expect(list.meta).toEqual({
      title: 'AI slop',
      homepage: 'https://lists.example/ai',
      version: '2026.12.1',
      expiresMinutes: 4 * 1440,
    });
    expect(list.rules.map(ruleName)).toEqual([
      'account did:plc:abcdefghijklmnopqrstuvwx',
      'account @bot@spam.example',
      'account @user@other.example',
      'account slop.bsky.social',
      'account https://spam.example/users/bot2',
      'domain content-farm.example',
      'domain bad.instance',
      'tag #aiart',
      'tag #midjourney',
      'word "generated with AI"',
      'word "hot take"',
      'contains "xyz"',
      'label ai-generated',
    ]);
  });

  it('names every bad line by its number, and refuses the list', () => {
    const text =
      'did:plc:ok\nwhatever this is\ndomain not a domain\n@x@\n! Expires: soon\n#ok\nlabel has space';
    let error: unknown;
    try {
      parseTributaryList(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FilterListFormatError);
    expect((error as FilterListFormatError).problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 7]);
    expect((error as Error).message).toMatch(/^line 2: not a rule: "whatever this is"/);
    expect((error as Error).message).toContain('line 3: not a valid domain: "not a domain"');
    expect((error as Error).message).toContain('line 5: expires: expected e.g. "4 days"');
  });

  it('refuses a list past its size in rules', () => {
    expect(() => parseTributaryList('#a\n#b\n#c', 2)).toThrow('line 3: too many rules (at most 2)');
  });

  it('writes lists back in a form that reads the same', () => {
    const list = parseTributaryList(LIST);
    expect(parseTributaryList(formatTributaryList(list))).toEqual(list);
  });

  it('reads expiry in minutes, hours, days and weeks', () => {
    expect([
      parseExpires('90 minutes'),
      parseExpires('12 hours'),
      parseExpires('1 day'),
      parseExpires('2w'),
    ]).toEqual([90, 720, 1440, 20160]);
    expect(parseExpires('soon')).toBeNull();
    expect(parseExpires('0 days')).toBeNull();
  });
});

describe('Mastodon CSV exports', () => {
  it("reads an admin's domain blocks, skipping noop rows", () => {
    const csv =
      '#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n' +
      'spam.example,suspend,true,true,"spam, lots",false\n' +
      'Loud.Example,silence,false,false,,false\n' +
      'fine.example,noop,true,false,,false\n';
    expect(parseMastodonCsv(csv, 'domains').rules).toEqual([
      { kind: 'domain', value: 'spam.example' },
      { kind: 'domain', value: 'loud.example' },
    ]);
  });

  it("reads a member's domain blocks (one a line) and account blocks and mutes", () => {
    expect(parseMastodonCsv('a.example\r\nb.example\r\n', 'domains').rules.map((r) => r.value)).toEqual([
      'a.example',
      'b.example',
    ]);
    expect(
      parseMastodonCsv('bot@spam.example\n@Other@Spam.Example\n', 'accounts').rules.map(ruleName),
    ).toEqual(['account @bot@spam.example', 'account @other@spam.example']);
    expect(
      parseMastodonCsv('Account address,Hide notifications\nloud@x.example,true\n', 'accounts').rules,
    ).toEqual([{ kind: 'account', value: 'loud@x.example' }]);
  });

  it('names bad rows by line', () => {
    expect(() => parseMastodonCsv('ok@x.example\nnot an address\n', 'accounts')).toThrow(
      'line 2: not a fediverse address (user@instance): "not an address"',
    );
  });
});
