// An outbound action (like, repost, reply, post…) as clients see it: what was asked, on which
// account, and how far it got (pending → done / failed with the reason).
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ActionKind, ActionStatus } from '@tributary/core';
import type { ActionPayload, ActionResult, Network } from '@tributary/core';
import type { OutboundAction } from '@tributary/db';
import { NetworkEnum } from '../accounts/linked-account.model.js';

/** GraphQL enum values are the stored values (`LIKE`, `PENDING`), not the TS keys. */
function byValue<T extends string>(values: Record<string, T>): Record<T, T> {
  return Object.fromEntries(Object.values(values).map((v) => [v, v])) as Record<T, T>;
}

export const ActionKindEnum = byValue(ActionKind);
export const ActionStatusEnum = byValue(ActionStatus);

registerEnumType(ActionKindEnum, { name: 'ActionKind' });
registerEnumType(ActionStatusEnum, {
  name: 'ActionStatus',
  valuesMap: {
    PENDING: { description: 'Accepted and queued (or being retried); not yet confirmed by the network.' },
    DONE: { description: 'The network accepted it; see resultUri / resultWebUrl.' },
    FAILED: {
      description: 'Given up; `error` says why. Nothing was written, or what was written is reported.',
    },
  },
});

@ObjectType('Action', { description: 'A write to a network on behalf of the user, performed by the worker.' })
export class ActionModel {
  @Field(() => ID) id!: string;
  @Field(() => ActionKindEnum) kind!: ActionKind;
  @Field(() => NetworkEnum) network!: Network;
  @Field(() => ID, { description: 'The linked account that acts.' }) linkedAccountId!: string;
  @Field(() => ID, {
    nullable: true,
    description: 'The target post (like, repost, reply); null for a new post.',
  })
  postId!: string | null;
  @Field(() => ActionStatusEnum) status!: ActionStatus;
  @Field(() => String, { nullable: true, description: 'Why it failed (or why it is being retried).' })
  error!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'URI of what the network created (the like, the post…).',
  })
  resultUri!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Where a person opens the created post, when there is one.',
  })
  resultWebUrl!: string | null;
  @Field(() => [Int], {
    nullable: true,
    description: 'A vote: the poll options chosen (yours alone); null for other actions.',
  })
  choices!: number[] | null;
  @Field(() => Int, { description: 'Times the worker tried to perform it.' }) attempts!: number;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

export function toActionModel(row: OutboundAction): ActionModel {
  const payload = row.payload as unknown as ActionPayload;
  const result = row.result as unknown as ActionResult | null;
  return {
    id: row.id,
    kind: row.kind,
    network: payload.network,
    linkedAccountId: row.linkedAccountId,
    postId: payload.postId ?? null,
    status: row.status,
    error: row.error,
    resultUri: result?.uri ?? null,
    resultWebUrl: result?.webUrl ?? null,
    choices: result?.ownVotes ?? payload.choices ?? null,
    attempts: row.attempts,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
