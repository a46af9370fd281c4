import { Field, ID, ObjectType } from '@nestjs/graphql';
import { TimelineItemModel } from '../timeline/timeline-item.model.js';

@ObjectType('TimelineUpdate')
export class TimelineUpdateModel {
  @Field(() => ID) pipelineId!: string;
  @Field(() => [TimelineItemModel], { description: 'New entries of one pipeline run, in timeline order.' })
  items!: TimelineItemModel[];
  @Field({
    description: 'The pipeline was rebuilt (e.g. its spec changed): reload the timeline; items is empty.',
  })
  rebuilt!: boolean;
}
