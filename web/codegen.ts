import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

const web = import.meta.dirname;

/**
 * The dashboard's typed GraphQL operations, generated from the API's committed schema and every
 * `graphql(...)` document under web/: `npm run codegen` writes web/lib/generated/ (never edited by
 * hand); test/web/codegen-drift.test.ts fails when the committed files differ from a fresh run.
 */
const config: CodegenConfig = {
  schema: path.join(web, '..', 'api', 'schema.graphql'),
  documents: [
    path.join(web, '**', '*.{ts,tsx}'),
    `!${path.join(web, 'lib', 'generated', '**')}`,
    `!${path.join(web, '.next', '**')}`,
    `!${path.join(web, 'node_modules', '**')}`,
    `!${path.join(web, 'codegen.ts')}`,
  ],
  ignoreNoDocuments: false,
  generates: {
    [path.join(web, 'lib', 'generated') + '/']: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        importExtension: '.ts',
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        strictScalars: true,
        scalars: { ID: 'string', DateTimeISO: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
