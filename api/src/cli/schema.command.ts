import fs from 'node:fs/promises';
import type { Command } from 'commander';

export async function printApiSchema(): Promise<string> {
  // GraphQL and the resolvers load only when the schema is printed.
  const [{ printSchema }, { getSchema }] = await Promise.all([
    import('graphql'),
    import('../graphql/schema.ts'),
  ]);
  return `${printSchema(await getSchema())}\n`;
}

export async function schemaCommand(options: { out?: string }): Promise<void> {
  const sdl = await printApiSchema();
  if (options.out) await fs.writeFile(options.out, sdl);
  else process.stdout.write(sdl);
}

/** `lab schema`. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description("print the API's GraphQL schema (SDL)")
    .option('--out <file>', 'write it to a file instead')
    .action(schemaCommand);
}
