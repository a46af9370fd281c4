import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AccountStatus, Network, SourceKind } from '@tributary/core';

/** GraphQL enum values are the stored values (`BLUESKY`, `NEEDS_REAUTH`), not the TS keys. */
function byValue<T extends string>(values: Record<string, T>): Record<T, T> {
  return Object.fromEntries(Object.values(values).map((v) => [v, v])) as Record<T, T>;
}

export const NetworkEnum = byValue(Network);
export const AccountStatusEnum = byValue(AccountStatus);
export const SourceKindEnum = byValue(SourceKind);

registerEnumType(NetworkEnum, { name: 'Network' });
registerEnumType(AccountStatusEnum, {
  name: 'AccountStatus',
  valuesMap: {
    NEEDS_REAUTH: { description: 'The network rejected the stored credentials: link the account again.' },
    ERROR: { description: 'Syncing fails for another reason; see statusReason.' },
  },
});
registerEnumType(SourceKindEnum, { name: 'SourceKind' });

export enum JobStateModel {
  IDLE = 'IDLE',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}
registerEnumType(JobStateModel, { name: 'JobState' });

export enum FreshnessModel {
  STREAMING = 'STREAMING',
  POLLING = 'POLLING',
}
registerEnumType(FreshnessModel, {
  name: 'Freshness',
  valuesMap: {
    STREAMING: { description: 'New posts arrive as they are published (streaming API, firehose).' },
    POLLING: {
      description: 'The server has no streaming API: new posts are fetched every `pollIntervalSeconds`.',
    },
  },
});

@ObjectType('SyncProgress')
export class SyncProgressModel {
  @Field(() => JobStateModel) state!: JobStateModel;
  @Field(() => Int) done!: number;
  @Field(() => Int) target!: number;
}

@ObjectType('Source')
export class SourceModel {
  @Field(() => ID) id!: string;
  @Field(() => SourceKindEnum) kind!: SourceKind;
  @Field({ description: 'Feed URI, list id, actor or hashtag; empty for the home timeline.' })
  externalId!: string;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  @Field(() => Date, { nullable: true }) lastSyncedAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => SyncProgressModel, { description: 'Backfill of history after the source was added.' })
  backfill!: SyncProgressModel;
}

@ObjectType('EventStream', {
  description:
    "The stream an account's new posts arrive through (Bluesky: one Jetstream for the whole instance).",
})
export class EventStreamModel {
  @Field({ description: '`jetstream`.' }) kind!: string;
  @Field({ description: 'A worker consumes it and is connected to it now.' }) live!: boolean;
  @Field({
    description:
      'The host(s) in use (the configured Jetstreams fail over in turn), space-separated when connections differ.',
  })
  host!: string;
  @Field(() => Float, {
    nullable: true,
    description: "How far behind the stream's own clock its last event was handled, in seconds.",
  })
  lagSeconds!: number | null;
  @Field(() => Date, { nullable: true }) lastEventAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The last problem, kept after it cleared.' })
  lastError!: string | null;
  @Field(() => Date, { nullable: true }) lastErrorAt!: Date | null;
}

@ObjectType('LinkedAccount')
export class LinkedAccountModel {
  @Field(() => ID) id!: string;
  @Field(() => NetworkEnum) network!: Network;
  @Field({ description: 'DID on Bluesky, account URI on Mastodon.' }) networkAccountId!: string;
  @Field() handle!: string;
  @Field() serviceUrl!: string;
  @Field(() => AccountStatusEnum) status!: AccountStatus;
  @Field(() => String, { nullable: true }) statusReason!: string | null;
  @Field() statusChangedAt!: Date;
  @Field(() => Date, { nullable: true }) lastSyncedAt!: Date | null;
  @Field(() => FreshnessModel, { description: 'How new posts reach Tributary from this account.' })
  freshness!: FreshnessModel;
  @Field(() => Int, { nullable: true, description: 'Seconds between polls when `freshness` is POLLING.' })
  pollIntervalSeconds!: number | null;
  @Field() createdAt!: Date;
  @Field(() => [SourceModel]) sources!: SourceModel[];
  @Field(() => EventStreamModel, {
    nullable: true,
    description:
      'Bluesky with BLUESKY_JETSTREAM_URL: the instance stream; null otherwise, or before it first started.',
  })
  stream!: EventStreamModel | null;
}
