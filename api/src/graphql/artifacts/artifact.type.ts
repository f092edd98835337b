import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from 'type-graphql';
import { ArtifactKind } from '../../db/generated/enums.ts';

registerEnumType(ArtifactKind, { name: 'ArtifactKind', description: 'What a run’s file is.' });

@ObjectType({ description: 'A file a run produced, sized and hashed when the run reported it.' })
export class Artifact {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  runId!: string;

  @Field(() => ArtifactKind)
  kind!: ArtifactKind;

  @Field(() => String, { description: 'Where the worker wrote it, on the worker’s machine.' })
  path!: string;

  @Field(() => Float, { description: 'Size in bytes (an integer).' })
  bytes!: number;

  @Field(() => String)
  sha256!: string;

  @Field(() => Int, { nullable: true, description: 'For a checkpoint: the step it holds.' })
  step!: number | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
