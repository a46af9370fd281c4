// A filter list compiled for matching: hash sets for accounts, domains, tags and labels, and a
// WordIndex for words, so a post costs a few lookups and one pass over each text field, however
// long the list. Compiled once per stored version and shared by every pipeline that uses it.
import type { Post } from '@tributary/core';
import type { AuthorKeys } from './identity.js';
import { domainIn } from './identity.js';
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

export class CompiledFilterList {
  readonly accounts: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
  readonly tags: ReadonlySet<string>;
  readonly labels: ReadonlySet<string>;
  private readonly words: WordIndex | null;
  private readonly wordRules: FilterRule[];
  readonly size: number;

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
    this.accounts = accounts;
    this.domains = domains;
    this.tags = tags;
    this.labels = labels;
    this.words =
      this.wordRules.length === 0
        ? null
        : new WordIndex(
            this.wordRules.map((r) => ({ kind: 'word', word: r.value, wholeWord: r.kind === 'word' })),
          );
    this.size = content.rules.length;
  }

  get hasAuthorRules(): boolean {
    return this.accounts.size > 0 || this.domains.size > 0;
  }

  /** The account or domain rule that covers an author with these keys, or null. */
  matchAuthor(keys: AuthorKeys, excepted: ExceptedRules): FilterRule | null {
    if (this.accounts.size > 0)
      for (const account of keys.accounts)
        if (this.accounts.has(account)) {
          const rule: FilterRule = { kind: 'account', value: account };
          if (excepted.size === 0 || !excepted.has(ruleKey(rule))) return rule;
        }
    if (this.domains.size > 0)
      for (const host of keys.hosts) {
        const domain = domainIn(this.domains, host);
        if (domain !== null) {
          const rule: FilterRule = { kind: 'domain', value: domain };
          if (excepted.size === 0 || !excepted.has(ruleKey(rule))) return rule;
        }
      }
    return null;
  }

  /** The tag, label or word rule that matches the post's content, or null. */
  matchContent(post: Post, excepted: ExceptedRules): FilterRule | null {
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
    const words = this.words;
    if (words === null) return null;
    const rules = this.wordRules;
    const skip = excepted.size === 0 ? null : (i: number) => excepted.has(ruleKey(rules[i]!));
    const found = (text: string | null): FilterRule | null => {
      if (text === null || text.length === 0) return null;
      const i = words.find(text, skip);
      return i < 0 ? null : rules[i]!;
    };
    // The fields mute words look in (mute-words.ts), hashtags with their `#`.
    let hit = found(post.text) ?? found(post.contentWarning);
    for (let i = 0; hit === null && i < post.media.length; i++) hit = found(post.media[i]!.altText);
    if (hit === null && post.linkCard !== null) hit = found(post.linkCard.title);
    for (let i = 0; hit === null && i < post.hashtags.length; i++) hit = found(`#${post.hashtags[i]!}`);
    if (hit === null && post.quote !== null) hit = found(post.quote.text) ?? found(post.quote.contentWarning);
    return hit;
  }
}
