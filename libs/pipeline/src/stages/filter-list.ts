import type { CompiledFilterList } from '../filter-lists/compiled-list.js';
import type { AuthorKeys } from '../filter-lists/identity.js';
import { authorKeys, DeclaredIdentities, isBridged } from '../filter-lists/identity.js';
import { parseRule } from '../filter-lists/list-format.js';
import { ruleKey, ruleName } from '../filter-lists/rules.js';
import type { BuiltinStageConfig } from '../spec.js';
import type { CompiledStage, ItemState, TextKeys } from './stage.js';
import { applyVerdict, perPostStage, recordPass } from './stage.js';

type Config = BuiltinStageConfig<'filter-list'>;
type Action = Config['lists'][number]['action'];

/** Finds the compiled list stored for an id (the pipeline version's pinned list version), if any. */
export type FilterListResolver = (id: string) => CompiledFilterList | undefined;

const SEVERITY: Record<Action, number> = { hide: 0, warn: 1, blur: 2 };

function hasMedia(item: ItemState): boolean {
  const post = item.post;
  return post.media.length > 0 || (post.quote !== null && post.quote.media.length > 0);
}

/**
 * The pipeline's subscribed filter lists as one filter: each list hides, warns or blurs what one of
 * its rules covers, with the list and the rule as the reason. Lists that are not stored yet (never
 * fetched) match nothing. Excepted authors pass every list; an excepted entry never matches.
 */
export function filterList(
  index: number,
  cfg: Config,
  resolve: FilterListResolver | undefined,
  textKeys: TextKeys,
): CompiledStage {
  const use = 'filter-list';
  const lists: { list: CompiledFilterList; action: Action; label: string }[] = [];
  for (const { id, action } of cfg.lists) {
    const list = resolve?.(id);
    if (list !== undefined)
      lists.push({ list, action, label: `filter list "${list.identity.title}" (${id})` });
  }
  // The strictest verdict first: a post one list hides is not also warned about by another.
  lists.sort((a, b) => SEVERITY[a.action] - SEVERITY[b.action]);
  // Post texts are tokenized once for every list (with the engine's text scan when possible).
  if (lists.some((l) => l.list.hasWords)) textKeys.registerTokens();
  const excepted = new Set(cfg.except.entries.map((entry) => ruleKey(parseRule(entry))));
  const exceptAuthors = new Set(cfg.except.authors.map((a) => a.trim().replace(/^@/, '').toLowerCase()));
  const identities = new DeclaredIdentities(cfg.identities);
  const authorRules = lists.some((l) => l.list.hasAuthorRules);
  type Author = ItemState['post']['author'];
  /** An author's keys when the plain id and handle do not say it all: bridged, or declared one person. */
  const extraKeys = (author: Author): AuthorKeys | null =>
    identities.empty && !isBridged(author) ? null : identities.expand(authorKeys(author));
  const excepts = (author: Author, keys: AuthorKeys | null): boolean =>
    exceptAuthors.size > 0 &&
    (keys !== null
      ? keys.accounts.some((k) => exceptAuthors.has(k))
      : exceptAuthors.has(author.networkId.toLowerCase()) || exceptAuthors.has(author.handle.toLowerCase()));
  const matchAuthor = (list: CompiledFilterList, author: Author, keys: AuthorKeys | null) =>
    keys !== null ? list.matchKeys(keys, excepted) : list.matchAuthor(author, excepted);

  return perPostStage(use, index, 'filter', (context) => {
    const explain = context.explain;
    if (lists.length === 0) return explain ? (item) => recordPass(item, use, index) : null;
    return (item) => {
      const post = item.post;
      const keys = authorRules || exceptAuthors.size > 0 ? extraKeys(post.author) : null;
      if (excepts(post.author, keys)) {
        if (explain) recordPass(item, use, index);
        return;
      }
      const by = item.candidate.reason?.by;
      const byKeys = by !== undefined && authorRules ? extraKeys(by) : null;
      const byExcepted = by !== undefined && excepts(by, byKeys);
      let acted = false;
      for (let i = 0; i < lists.length && !item.hidden; i++) {
        const { list, action, label } = lists[i]!;
        let rule = list.hasAuthorRules ? matchAuthor(list, post.author, keys) : null;
        let reposted = false;
        if (rule === null && by !== undefined && !byExcepted && list.hasAuthorRules) {
          rule = matchAuthor(list, by, byKeys);
          reposted = rule !== null;
        }
        rule ??= list.matchContent(post, excepted, list.hasWords ? textKeys.tokens(item) : null);
        if (rule === null) continue;
        acted = true;
        const reason = `${label}: ${ruleName(rule)}${reposted ? ' (who reposted it)' : ''}`;
        applyVerdict(item, use, index, {
          verdict: action === 'blur' && !hasMedia(item) ? 'warn' : action,
          reason,
        });
      }
      if (!acted && explain) recordPass(item, use, index);
    };
  });
}
