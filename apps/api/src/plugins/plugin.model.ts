import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MAX_CONFIG_SCHEMA_BYTES, MAX_PLUGIN_SOURCE_BYTES } from '@tributary/pipeline';
import { Cost } from '../common/query-limits.js';
import { JSONScalar } from '../pipelines/json.scalar.js';

export enum PluginKindModel {
  TRUSTED = 'TRUSTED',
  SANDBOXED = 'SANDBOXED',
}
registerEnumType(PluginKindModel, {
  name: 'PluginKind',
  valuesMap: {
    TRUSTED: { description: 'Installed by the instance admin; runs in-process; available to every user.' },
    SANDBOXED: { description: 'Uploaded by you; runs in the sandbox with time and memory limits.' },
  },
});

@ObjectType('Plugin', { description: 'A plugin a pipeline stage can use as `plugin:<name>@<version>`.' })
export class PluginModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() version!: string;
  @Field(() => PluginKindModel) kind!: PluginKindModel;
  @Field({ description: 'The stage `use` value, e.g. `plugin:community/no-engagement-bait@1.0.0`.' })
  use!: string;
  @Cost({ maxKib: MAX_CONFIG_SCHEMA_BYTES / 1024 })
  @Field(() => JSONScalar, { description: "JSON Schema of the stage's `with`." })
  configSchema!: unknown;
  @Field(() => String, { nullable: true, description: 'For TRUSTED plugins: the installed package.' })
  packageName!: string | null;
  @Cost({ maxKib: MAX_PLUGIN_SOURCE_BYTES / 1024 })
  @Field(() => String, { nullable: true, description: 'For your uploads: the code as uploaded.' })
  code!: string | null;
  @Field() createdAt!: Date;
}
