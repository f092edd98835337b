import fs from 'node:fs/promises';
import path from 'node:path';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { dashboardOperations } from '../../web/lib/operations.ts';

describe("the dashboard's GraphQL operations against the committed schema", () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = buildSchema(await fs.readFile(path.join(repoRoot, 'api', 'schema.graphql'), 'utf8'));
  });

  it.each(Object.entries(dashboardOperations()))('%s is valid', (name, document) => {
    const parsed = parse(document);
    const operation = parsed.definitions[0];
    expect(operation?.kind === 'OperationDefinition' && operation.name?.value).toBe(name);
    expect(validate(schema, parsed).map((error) => error.message)).toEqual([]);
  });

  it('fails on drift: a field the schema lacks is reported', () => {
    const drifted = dashboardOperations().Run!.replace('sweepId', 'sweepIdentifier');
    expect(validate(schema, parse(drifted)).map((error) => error.message)).toEqual([
      'Cannot query field "sweepIdentifier" on type "Run".',
    ]);
  });
});
