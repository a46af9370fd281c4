import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { UserRole } from '../auth/auth.models.js';

export enum MemberStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(MemberStatus, { name: 'MemberStatus' });

@ObjectType('Member', { description: 'A member of the instance, as administrators see them.' })
export class MemberModel {
  @Field(() => ID) id!: string;
  @Field() username!: string;
  @Field(() => UserRole) role!: UserRole;
  @Field(() => MemberStatus) status!: MemberStatus;
  @Field(() => Date, { nullable: true }) suspendedAt!: Date | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When one of their tokens was last used.' })
  lastActiveAt!: Date | null;
  @Field(() => Int) linkedAccounts!: number;
  @Field(() => Int) pipelines!: number;
}

@ObjectType('NetworkCount')
export class NetworkCountModel {
  @Field() network!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('QueueCount')
export class QueueCountModel {
  @Field() queue!: string;
  @Field(() => Int) waiting!: number;
  @Field(() => Int) active!: number;
  @Field(() => Int) delayed!: number;
  @Field(() => Int) failed!: number;
}

@ObjectType('InstanceStats', { description: 'How big the instance is and how its queues are doing.' })
export class InstanceStatsModel {
  @Field(() => Int) members!: number;
  @Field(() => Int) suspendedMembers!: number;
  @Field(() => [NetworkCountModel]) linkedAccounts!: NetworkCountModel[];
  @Field(() => [NetworkCountModel], { description: 'Posts stored, by network.' }) posts!: NetworkCountModel[];
  @Field(() => Int) pipelines!: number;
  @Field(() => Int) timelineEntries!: number;
  @Field(() => [QueueCountModel]) queues!: QueueCountModel[];
}

@ObjectType('SourceHealth', {
  description:
    'One source of a member, and whether it is kept fresh: `stale` with the reason when it is not.',
})
export class SourceHealthModel {
  @Field(() => ID) sourceId!: string;
  @Field(() => ID) accountId!: string;
  @Field() network!: string;
  @Field() handle!: string;
  @Field({ description: 'The account: ACTIVE, NEEDS_REAUTH or ERROR.' }) accountStatus!: string;
  @Field() kind!: string;
  @Field() externalId!: string;
  @Field(() => Date, { nullable: true }) lastSyncedAt!: Date | null;
  @Field(() => Date, { nullable: true }) nextPollAt!: Date | null;
  @Field() backfillState!: string;
  @Field() stale!: boolean;
  @Field(() => String, { nullable: true, description: 'Why the source is stale (or last failed).' })
  reason!: string | null;
}
