import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A checkpoint folder to register: config.json and safetensors weights.' })
export class RegisterModelInput {
  @Field(() => String, { description: 'Unique; 1 to 200 characters.' })
  name!: string;

  @Field(() => String, { description: 'Absolute path of the folder, as the API server sees it.' })
  path!: string;
}
