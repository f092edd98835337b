import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { DatasetConnection, RegisterDatasetInput, RegisterDatasetPayload } from './dataset.type.ts';
import { listDatasets, registerDataset } from './datasets.service.ts';

@Resolver()
export class DatasetsResolver {
  @Authorized('VIEWER')
  @Query(() => DatasetConnection, {
    description: 'Registered datasets, newest first, 1 to 100 a page.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  datasets(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { db }: ApiContext,
  ): Promise<DatasetConnection> {
    return listDatasets(db, { first, after });
  }

  @Authorized('EDITOR')
  @Mutation(() => RegisterDatasetPayload, {
    description: 'Registers a dataset: a local file or folder (sized and hashed) or a source.',
  })
  async registerDataset(
    @Arg('input', () => RegisterDatasetInput) input: RegisterDatasetInput,
    @Ctx() { db, paths }: ApiContext,
  ): Promise<RegisterDatasetPayload> {
    return { dataset: await registerDataset(db, input, paths) };
  }
}
