import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printApiSchema } from '../../api/src/cli/schema.command.ts';
import { repoRoot } from '../../api/src/config.ts';

describe('the committed GraphQL schema', () => {
  it('matches the schema the resolvers build (run `npm run schema:emit` after API changes)', async () => {
    const committed = await fs.readFile(path.join(repoRoot, 'api', 'schema.graphql'), 'utf8');
    expect(committed).toBe(await printApiSchema());
  });
});
