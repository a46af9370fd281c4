// A filter list compiled for matching: hash sets for accounts, domains, tags and labels, and a
// WordIndex for words, so a post costs a few lookups and one pass over each text field, however
// long the list. Compiled once per stored version and shared by every pipeline that uses it.
import type { Author, Post } from '@tributary/core';
import type { TokenBuffer } from '../literal-scan.js';
import { AccountSet } from './account-set.js';
import { DomainSet } from './domain-set.js';
import type { AuthorKeys } from './identity.js';
import type { FilterListContent, FilterRule } from './rules.js';
import { ruleKey } from './rules.js';
import { WordIndex } from './word-index.js';

/** What a list is known as in reasons: its id and its title (or where it comes from). */
export interface FilterListIdentity {
  id: string;
  title: string;
}

/** Which rules a pipeline's stage excepts (by {@link ruleKey}); empty for none. */
export type ExceptedRules = ReadonlySet<string>;

const NOTHING_EXCEPTED: ExceptedRules = new Set();
/** Authors remembered per list (then forgotten all at once): about 10 MB at most. */
const AUTHOR_MEMO_SIZE = 100_000;

/**
 * A new string with the same text. A hit in the author memo compares the post's id and handle
 * with the remembered ones, text against text: remembered as they came, they were pieces of the
 * first post of each author, spread over all the posts in memory, and each comparison missed the
 * CPU caches twice. Copies made as the memo fills sit next to each other.
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

export class CompiledFilterList {
  private readonly authorMemo = new Map<string, { handle: string; rule: FilterRule | null }>();
  readonly accounts: AccountSet;
  readonly domains: DomainSet;
  readonly tags: ReadonlySet<string>;
  readonly labels: ReadonlySet<string>;
  private readonly words: WordIndex | null;
  private readonly wordRules: FilterRule[];
  readonly size: number;
  /** Whether the list has account or domain rules (authors are looked up only then). */
  readonly hasAuthorRules: boolean;

  constructor(
    readonly identity: FilterListIdentity,
    content: FilterListContent,
  ) {
    const accounts = new Set<string>();
    const domains = new Set<string>();
    const tags = new Set<string>();
    const labels = new Set<string>();
    this.wordRules = [];
    for (const rule of content.rules) {
      switch (rule.kind) {
        case 'account':
          accounts.add(rule.value.toLowerCase());
          break;
        case 'domain':
          domains.add(rule.value);
          break;
        case 'tag':
          tags.add(rule.value);
          break;
        case 'label':
          labels.add(rule.value);
          break;
        default:
          this.wordRules.push(rule);
      }
    }
    this.accounts = new AccountSet(accounts);
    this.domains = new DomainSet(domains);
    this.tags = tags;
    this.labels = labels;
    this.words =
      this.wordRules.length === 0
        ? null
        : new WordIndex(
            this.wordRules.map((r) => ({ kind: 'word', word: r.value, wholeWord: r.kind === 'word' })),
          );
    this.size = content.rules.length;
    this.hasAuthorRules = this.accounts.size > 0 || this.domains.size > 0;
  }

  private accountRule(id: string, excepted: ExceptedRules): FilterRule | null {
    const account = this.accounts.find(id);
    if (account === null) return null;
    const rule: FilterRule = { kind: 'account', value: account };
    return excepted.size === 0 || !excepted.has(ruleKey(rule)) ? rule : null;
  }

  private domainRule(domain: string | null, excepted: ExceptedRules): FilterRule | null {
    if (domain === null) return null;
    const rule: FilterRule = { kind: 'domain', value: domain };
    return excepted.size === 0 || !excepted.has(ruleKey(rule)) ? rule : null;
  }

  /**
   * The account or domain rule that covers an author as the network names them (id, handle, the
   * instance of a fediverse address or actor, a Bluesky handle's domains), or null. Bridged
   * accounts and declared identities: {@link matchKeys}.
   *
   * Remembered per author (by id, while the handle stays the same): a timeline's authors come back
   * post after post, and a lookup in the list's sets of megabytes missed the CPU cache each time.
   */
  matchAuthor(author: Author, excepted: ExceptedRules): FilterRule | null {
    if (!this.hasAuthorRules) return null;
    const memo = this.authorMemo.get(author.networkId);
    let rule: FilterRule | null;
    if (memo !== undefined && memo.handle === author.handle) rule = memo.rule;
    else {
      rule = this.lookupAuthor(author, NOTHING_EXCEPTED);
      if (this.authorMemo.size >= AUTHOR_MEMO_SIZE) this.authorMemo.clear();
      this.authorMemo.set(ownCopy(author.networkId), { handle: ownCopy(author.handle), rule });
    }
    if (rule === null || excepted.size === 0 || !excepted.has(ruleKey(rule))) return rule;
    // That rule is excepted: another one may still cover the author.
    return this.lookupAuthor(author, excepted);
  }

  private lookupAuthor(author: Author, excepted: ExceptedRules): FilterRule | null {
    let rule: FilterRule | null = null;
    if (this.accounts.size > 0) {
      rule = this.accountRule(author.networkId, excepted) ?? this.accountRule(author.handle, excepted);
      if (rule !== null) return rule;
    }
    const domains = this.domains;
    if (domains.size === 0) return null;
    const handle = author.handle;
    if (author.network !== 'MASTODON') return this.domainRule(domains.find(handle), excepted);
    rule = this.domainRule(domains.find(handle, handle.lastIndexOf('@') + 1), excepted);
    if (rule !== null) return rule;
    // The actor's server, when it is not the address's domain (WebFinger on another host).
    const id = author.networkId;
    const start = id.indexOf('://');
    if (start < 0) return null;
    let end = start + 3;
    while (end < id.length && id.charCodeAt(end) !== 0x2f && id.charCodeAt(end) !== 0x3a) end++;
    return this.domainRule(domains.find(id, start + 3, end), excepted);
  }

  /** The account or domain rule that covers an author known by these keys (identity.ts), or null. */
  matchKeys(keys: AuthorKeys, excepted: ExceptedRules): FilterRule | null {
    for (const account of keys.accounts) {
      const rule = this.accountRule(account, excepted);
      if (rule !== null) return rule;
    }
    for (const host of keys.hosts) {
      const rule = this.domainRule(this.domains.find(host), excepted);
      if (rule !== null) return rule;
    }
    return null;
  }

  get hasWords(): boolean {
    return this.words !== null;
  }

  /**
   * The tag, label or word rule that matches the post's content, or null. `textTokens`: the hashes
   * of the post text's tokens (tokens.ts tokenizeText), when the caller has them (the engine's
   * TextKeys); without them the text is scanned here.
   */
  matchContent(
    post: Post,
    excepted: ExceptedRules,
    textTokens: TokenBuffer | null = null,
  ): FilterRule | null {
    if (this.tags.size > 0)
      for (const tag of post.hashtags) {
        const lower = tag.toLowerCase();
        if (this.tags.has(lower) && (excepted.size === 0 || !excepted.has(`tag\n${lower}`)))
          return { kind: 'tag', value: lower };
      }
    if (this.labels.size > 0)
      for (const label of post.labels) {
        const lower = label.value.toLowerCase();
        if (this.labels.has(lower) && (excepted.size === 0 || !excepted.has(`label\n${lower}`)))
          return { kind: 'label', value: lower };
      }
    if (this.words === null) return null;
    // Which word rules the stage excepts, as the index asks (made once per post, not per field).
    const excluded = this.exceptedWord(excepted);
    // The fields mute words look in (mute-words.ts).
    let hit: FilterRule | null;
    if (textTokens === null) hit = this.findWords(post.text, excluded);
    else {
      const i = this.words.findTokens(post.text, textTokens, excluded);
      hit = i < 0 ? null : this.wordRules[i]!;
    }
    hit ??= this.findWords(post.contentWarning, excluded);
    for (let i = 0; hit === null && i < post.media.length; i++)
      hit = this.findWords(post.media[i]!.altText, excluded);
    if (hit === null && post.linkCard !== null) hit = this.findWords(post.linkCard.title, excluded);
    // A tag is one token: spelled with its `#` only for terms that are not whole tokens.
    const withHash = this.words.hasOthers;
    for (let i = 0; hit === null && i < post.hashtags.length; i++)
      hit = this.findWords(withHash ? `#${post.hashtags[i]!}` : post.hashtags[i]!, excluded);
    if (hit === null && post.quote !== null)
      hit = this.findWords(post.quote.text, excluded) ?? this.findWords(post.quote.contentWarning, excluded);
    return hit;
  }

  private findWords(text: string | null, excluded: ((term: number) => boolean) | null): FilterRule | null {
    if (text === null || text.length === 0) return null;
    const i = this.words!.find(text, excluded);
    return i < 0 ? null : this.wordRules[i]!;
  }

  private exceptedWord(excepted: ExceptedRules): ((term: number) => boolean) | null {
    return excepted.size === 0 ? null : (i) => excepted.has(ruleKey(this.wordRules[i]!));
  }
}
