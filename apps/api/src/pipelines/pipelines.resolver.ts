import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { Cost } from '../common/query-limits.js';
import { JSONScalar } from './json.scalar.js';
import {
  PipelineModel,
  PipelineValidationModel,
  PipelineVersionModel,
  PreviewItemModel,
} from './pipeline.model.js';
import { PipelinesService, PREVIEW_MAX, toPipelineModel } from './pipelines.service.js';

/** Where a client developer reads what a spec may hold. */
const SPEC_DOC =
  'A pipeline spec: `{ name, stages: [{ use, with?, weight?, onError?, enabled? }] }`; every stage and its options are documented in docs/pipelines.md of the Tributary repository.';

@Resolver(() => PipelineModel)
export class PipelinesResolver {
  constructor(private readonly service: PipelinesService) {}

  @Cost({ listSize: 'PIPELINES_PER_USER' })
  @Query(() => [PipelineModel], { description: "The caller's pipelines, oldest first." })
  async pipelines(@CurrentUser() user: AuthenticatedUser) {
    return (await this.service.list(user.id)).map(toPipelineModel);
  }

  @Query(() => PipelineModel, { nullable: true })
  async pipeline(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    const row = await this.service.find(user.id, id);
    return row && toPipelineModel(row);
  }

  @Cost({ listSize: 'PIPELINE_VERSIONS_KEPT' })
  @ResolveField(() => [PipelineVersionModel], {
    description:
      'The saved versions of the spec, oldest first: the newest PIPELINE_VERSIONS_KEPT (50 by default).',
  })
  versions(@Parent() pipeline: PipelineModel) {
    // The parent was already read for the caller, so its versions are theirs.
    return this.service.versions(pipeline.id);
  }

  @Query(() => PipelineValidationModel, {
    description: 'Checks a spec (including that its plugins are installed for the caller) without saving it.',
  })
  validatePipeline(
    @CurrentUser() user: AuthenticatedUser,
    @Args('spec', { type: () => JSONScalar, description: SPEC_DOC }) spec: unknown,
  ) {
    return this.service.validate(user.id, spec);
  }

  @Query(() => [PreviewItemModel], {
    description: `A dry run of a spec over the caller's newest posts (kept, hidden and why), highest rank first. Writes nothing. limit: 1–${PREVIEW_MAX}, default 50.`,
  })
  previewPipeline(
    @CurrentUser() user: AuthenticatedUser,
    @Args('spec', { type: () => JSONScalar, description: SPEC_DOC }) spec: unknown,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number | null,
  ) {
    return this.service.preview(user.id, spec, limit);
  }

  @Mutation(() => PipelineModel, {
    description:
      'Creates a pipeline (spec.name defaults to `name`); its timeline is built from recent posts (see `rebuild`).',
  })
  async createPipeline(
    @CurrentUser() user: AuthenticatedUser,
    @Args('name') name: string,
    @Args('spec', { type: () => JSONScalar, description: SPEC_DOC }) spec: unknown,
  ) {
    return toPipelineModel(await this.service.create(user.id, name, spec));
  }

  @Mutation(() => PipelineModel, {
    description:
      'Renames a pipeline and/or saves a new spec: a changed spec becomes a new version and the timeline is rebuilt.',
  })
  async updatePipeline(
    @CurrentUser() user: AuthenticatedUser,
    @Args('id', { type: () => ID }) id: string,
    @Args('name', { type: () => String, nullable: true }) name?: string | null,
    @Args('spec', { type: () => JSONScalar, nullable: true, description: SPEC_DOC }) spec?: unknown,
  ) {
    if ((name === null || name === undefined) && (spec === null || spec === undefined))
      throw new AppException(AppErrorCode.BadUserInput, 'nothing to change: pass name and/or spec');
    return toPipelineModel(await this.service.update(user.id, id, name, spec));
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes a pipeline and its timeline. Your only pipeline cannot be deleted; deleting the default one needs `newDefault`.',
  })
  deletePipeline(
    @CurrentUser() user: AuthenticatedUser,
    @Args('id', { type: () => ID }) id: string,
    @Args('newDefault', { type: () => ID, nullable: true, description: 'Becomes the default pipeline.' })
    newDefault?: string | null,
  ) {
    return this.service.delete(user.id, id, newDefault);
  }

  @Mutation(() => PipelineModel, { description: 'Makes this the default pipeline (and no other).' })
  async setDefaultPipeline(
    @CurrentUser() user: AuthenticatedUser,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return toPipelineModel(await this.service.setDefault(user.id, id));
  }
}
