import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthenticatedUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Cost } from '../common/query-limits.js';
import { PluginModel } from './plugin.model.js';
import { PluginsService, toPluginModel } from './plugins.service.js';

@Resolver(() => PluginModel)
export class PluginsResolver {
  constructor(private readonly service: PluginsService) {}

  // Trusted plugins come on top of the quota: a few, installed by the admin.
  @Cost({ listSize: 'PLUGINS_PER_USER' })
  @Query(() => [PluginModel], { description: "The admin's trusted plugins and the caller's own uploads." })
  async plugins(@CurrentUser() user: AuthenticatedUser) {
    return (await this.service.list(user.id)).map(toPluginModel);
  }

  @Mutation(() => PluginModel, {
    description:
      'Uploads plugin code (JavaScript calling `definePlugin({ name, version, configSchema, filter?, score? })`); ' +
      'checked in the sandbox, then usable in your pipelines as `plugin:<name>@<version>`, always sandboxed.',
  })
  async uploadPlugin(@CurrentUser() user: AuthenticatedUser, @Args('code') code: string) {
    return toPluginModel(await this.service.upload(user.id, code));
  }

  @Mutation(() => Boolean, { description: 'Deletes one of your uploads (refused while a pipeline uses it).' })
  deletePlugin(@CurrentUser() user: AuthenticatedUser, @Args('id', { type: () => ID }) id: string) {
    return this.service.delete(user.id, id);
  }
}
