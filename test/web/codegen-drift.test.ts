import fs from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import codegenConfig from '../../web/codegen.ts';

const generatedDir = path.join(repoRoot, 'web', 'lib', 'generated');

/** What the generator writes now, from the committed schema and the documents under web/. */
async function freshOutputs(config = codegenConfig): Promise<Map<string, string>> {
  const outputs: { filename: string; content: string }[] = await generate(
    { ...config, cwd: repoRoot, silent: true },
    false,
  );
  return new Map(outputs.map((output) => [path.resolve(output.filename), output.content]));
}

describe("the dashboard's generated GraphQL types", () => {
  it('are what the generator makes of api/schema.graphql and the operations under web/ (run `npm run codegen`)', async () => {
    const fresh = await freshOutputs();
    const committed = (await fs.readdir(generatedDir)).map((name) => path.join(generatedDir, name));
    expect([...fresh.keys()].sort()).toEqual(committed.sort());
    for (const [file, content] of fresh) {
      expect(await fs.readFile(file, 'utf8'), `${file} is stale: run \`npm run codegen\``).toBe(
        content,
      );
    }
  }, 120_000);

  it('fails to generate when the schema drops a field an operation asks for', async () => {
    const schema = await fs.readFile(path.join(repoRoot, 'api', 'schema.graphql'), 'utf8');
    // Run's sweepId, which the run page asks for (Experiment has a field of that name too).
    const drifted = schema.replace(
      /(type Run \{[^}]*?\n\s+)sweepId: ID$/m,
      '$1sweepIdentifier: ID',
    );
    expect(drifted).not.toBe(schema);
    const scratch = await fs.mkdtemp(path.join(repoRoot, '.lab', 'codegen-drift-'));
    try {
      const schemaPath = path.join(scratch, 'schema.graphql');
      await fs.writeFile(schemaPath, drifted);
      await expect(freshOutputs({ ...codegenConfig, schema: schemaPath })).rejects.toThrow(
        /Cannot query field "sweepId" on type "Run"/,
      );
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
