import fs from 'node:fs/promises';
import { printSchema } from 'graphql';
import { getSchema } from '../graphql/schema.ts';

export async function printApiSchema(): Promise<string> {
  return `${printSchema(await getSchema())}\n`;
}

export async function schemaCommand(options: { out?: string }): Promise<void> {
  const sdl = await printApiSchema();
  if (options.out) await fs.writeFile(options.out, sdl);
  else process.stdout.write(sdl);
}
