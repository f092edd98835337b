import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { Model, ModelConnection, RegisterModelPayload } from './model.type.ts';
import { RegisterModelInput } from './register-model.input.ts';
import { findModel, listModels, registerModel } from './models.service.ts';

@Resolver(() => Model)
export class ModelsResolver {
  @Authorized('VIEWER')
  @Query(() => ModelConnection, {
    description: 'Registered models, newest first, 1 to 100 a page.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  models(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { db }: ApiContext,
  ): Promise<ModelConnection> {
    return listModels(db, { first, after });
  }

  @Authorized('VIEWER')
  @Query(() => Model, { nullable: true, description: 'One model, or null when none has this id.' })
  model(@Arg('id', () => ID) id: string, @Ctx() { db }: ApiContext): Promise<Model | null> {
    return findModel(db, id);
  }

  @Authorized('EDITOR')
  @Mutation(() => RegisterModelPayload, {
    description:
      'Registers a checkpoint folder after opening it as the engine would: config.json checked, ' +
      'every tensor against it, the weights hashed. BAD_USER_INPUT names what is wrong with it.',
  })
  async registerModel(
    @Arg('input', () => RegisterModelInput) input: RegisterModelInput,
    @Ctx() { db, paths }: ApiContext,
  ): Promise<RegisterModelPayload> {
    return { model: await registerModel(db, input, paths) };
  }
}
