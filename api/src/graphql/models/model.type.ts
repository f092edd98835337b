import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../runs/run.type.ts';
import { JSONScalar } from '../scalars.ts';

@ObjectType({ description: 'A registered model checkpoint folder.' })
export class Model {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The checkpoint folder, on the machines that read it.' })
  path!: string;

  @Field(() => JSONScalar, { description: 'Its config.json as checked, defaults filled in.' })
  config!: unknown;

  @Field(() => Float, { description: 'Parameters the config declares (an integer).' })
  parameterCount!: number;

  @Field(() => Float, { description: 'Total bytes of the weight files (an integer).' })
  bytes!: number;

  @Field(() => String, {
    description:
      "SHA-256 of the weight files' bytes in name order; for model.safetensors alone, its sha256sum.",
  })
  sha256!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType()
export class ModelEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Model)
  node!: Model;
}

@ObjectType()
export class ModelConnection {
  @Field(() => [ModelEdge])
  edges!: ModelEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType()
export class RegisterModelPayload {
  @Field(() => Model)
  model!: Model;
}
