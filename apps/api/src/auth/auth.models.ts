import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum UserRole {
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
}
registerEnumType(UserRole, { name: 'UserRole' });

@ObjectType('User')
export class UserModel {
  @Field(() => ID) id!: string;
  @Field() username!: string;
  @Field(() => UserRole) role!: UserRole;
  @Field() createdAt!: Date;
}

@ObjectType('ApiToken', {
  description: 'A bearer token of the caller. The secret itself is only shown at creation.',
})
export class ApiTokenModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
  @Field({ description: 'True for the token this request was made with.' }) current!: boolean;
}

@ObjectType('AuthPayload', { description: 'A new bearer token: send it as `Authorization: Bearer <token>`.' })
export class AuthPayloadModel {
  @Field() token!: string;
  @Field(() => ApiTokenModel) tokenInfo!: ApiTokenModel;
  @Field(() => UserModel) user!: UserModel;
}

@ObjectType('Invite')
export class InviteModel {
  @Field(() => ID) id!: string;
  @Field(() => UserRole) role!: UserRole;
  @Field() createdAt!: Date;
  @Field() expiresAt!: Date;
  @Field(() => Date, { nullable: true }) usedAt!: Date | null;
}

@ObjectType('CreatedInvite')
export class CreatedInviteModel {
  @Field({ description: 'The invite code; shown once, give it to the person who signs up.' }) code!: string;
  @Field(() => InviteModel) invite!: InviteModel;
}
