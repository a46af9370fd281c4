import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { FilterList } from '@tributary/db';

export enum FilterListFormatModel {
  TRIBUTARY = 'TRIBUTARY',
  MASTODON_DOMAINS = 'MASTODON_DOMAINS',
  MASTODON_ACCOUNTS = 'MASTODON_ACCOUNTS',
  BLUESKY_LIST = 'BLUESKY_LIST',
}
registerEnumType(FilterListFormatModel, {
  name: 'FilterListFormat',
  valuesMap: {
    TRIBUTARY: { description: "Tributary's own text format, one rule a line (the default for URLs)." },
    MASTODON_DOMAINS: { description: "A Mastodon domain-block export (a member's or an admin's CSV)." },
    MASTODON_ACCOUNTS: { description: 'A Mastodon account-block or mute export (CSV).' },
    BLUESKY_LIST: {
      description: 'A Bluesky moderation or curate list, by its at:// URI (the default for those).',
    },
  },
});

export enum FilterActionModel {
  HIDE = 'hide',
  WARN = 'warn',
  BLUR = 'blur',
}
registerEnumType(FilterActionModel, { name: 'FilterAction' });

@ObjectType('FilterList', {
  description:
    'A filter list, stored once for the instance and kept current by the worker. A failed refresh keeps the stored version (`version`) and shows why in `error`.',
})
export class FilterListModel {
  @Field(() => ID) id!: string;
  @Field({ description: 'The https URL, or the at:// URI of a Bluesky list.' }) source!: string;
  @Field(() => FilterListFormatModel) format!: FilterListFormatModel;
  @Field(() => String, { nullable: true }) title!: string | null;
  @Field(() => String, { nullable: true }) homepage!: string | null;
  @Field(() => String, { nullable: true, description: "The maintainer's version string." })
  declaredVersion!: string | null;
  @Field(() => Int, { description: 'The stored version in use (0: none yet).' }) version!: number;
  @Field(() => Int, { description: 'Rules in the stored version.' }) entries!: number;
  @Field(() => Date, { nullable: true, description: 'When the stored version was fetched.' })
  fetchedAt!: Date | null;
  @Field(() => Date, { nullable: true }) checkedAt!: Date | null;
  @Field() nextCheckAt!: Date;
  @Field(() => String, {
    nullable: true,
    description: 'Why the last refresh failed (the stored version stays).',
  })
  error!: string | null;
  @Field(() => Date, { nullable: true }) errorAt!: Date | null;
  @Field({ description: 'Offered by the admin: new members subscribe to it by default.' }) offered!: boolean;
  @Field(() => FilterActionModel, { nullable: true }) offeredAction!: FilterActionModel | null;
}

@ObjectType('FilterListSubscription', {
  description: "A filter list in one of a pipeline's filter-list stages.",
})
export class FilterListSubscriptionModel {
  @Field(() => FilterListModel) list!: FilterListModel;
  @Field(() => FilterActionModel) action!: FilterActionModel;
  @Field(() => Int, { description: 'Position of its filter-list stage in the spec.' }) stage!: number;
  @Field(() => Int, {
    nullable: true,
    description: "The list's stored version the pipeline's current version runs with.",
  })
  pinnedVersion!: number | null;
  @Field(() => [String], {
    description: "Authors that pass every list of this subscription's stage (addFilterListException).",
  })
  exceptedAuthors!: string[];
  @Field(() => [String], {
    description:
      "Entries that never match in this subscription's stage, as a hidden post's reason names them.",
  })
  exceptedEntries!: string[];
}

export function toFilterListModel(row: FilterList): FilterListModel {
  return {
    id: row.id,
    source: row.source,
    format: row.format as FilterListFormatModel,
    title: row.title,
    homepage: row.homepage,
    declaredVersion: row.declaredVersion,
    version: row.version,
    entries: row.entries,
    fetchedAt: row.fetchedAt,
    checkedAt: row.checkedAt,
    nextCheckAt: row.nextCheckAt,
    error: row.lastError,
    errorAt: row.lastErrorAt,
    offered: row.offered,
    offeredAction: (row.offeredAction as FilterActionModel | null) ?? null,
  };
}
