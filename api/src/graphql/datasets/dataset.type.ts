import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../runs/run.type.ts';

@ObjectType({ description: 'A registered dataset: a local file or folder (hashed), or a source.' })
export class Dataset {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: 'The file or folder, when local.' })
  path!: string | null;

  @Field(() => String, { nullable: true, description: 'Where it comes from, when not local.' })
  source!: string | null;

  @Field(() => Float, { nullable: true, description: 'Tokens, as given at registration.' })
  tokens!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Bytes of the file or of the folder’s files.',
  })
  bytes!: number | null;

  @Field(() => String, {
    nullable: true,
    description: "SHA-256 of the file, or of a folder's files' bytes in relative-name order.",
  })
  sha256!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType()
export class DatasetEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Dataset)
  node!: Dataset;
}

@ObjectType()
export class DatasetConnection {
  @Field(() => [DatasetEdge])
  edges!: DatasetEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType({ description: 'A dataset to register: give exactly one of `path` and `source`.' })
export class RegisterDatasetInput {
  @Field(() => String, { description: 'Unique; 1 to 200 characters.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Absolute path of a file or folder on the API’s machine; it is sized and hashed.',
  })
  path?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Where the data comes from otherwise, e.g. `wikitext-2-raw-v1/test`.',
  })
  source?: string | null;

  @Field(() => Float, { nullable: true, description: 'How many tokens it holds (an integer).' })
  tokens?: number | null;
}

@ObjectType()
export class RegisterDatasetPayload {
  @Field(() => Dataset)
  dataset!: Dataset;
}
