import type { Command } from 'commander';
import { parseRole, ROLES } from '../auth/roles.ts';
import { readConfig, type LabConfig } from '../config.ts';
import { fail } from './fail.ts';

// The database client loads only when a key command runs.
const keyStore = async () => ({
  ...(await import('../auth/api-keys.ts')),
  ...(await import('../db/client.ts')),
});

function requireDatabase(config: LabConfig): string {
  if (!config.databaseUrl) {
    fail(
      'lab keys needs DATABASE_URL: the URL `npm start` prints for its embedded database, ' +
        'or your PostgreSQL server',
    );
  }
  return config.databaseUrl;
}

/** `lab keys create`: prints the new key once; only its hash is stored. */
export async function createKeyCommand(
  config: LabConfig,
  options: { role: string; name: string },
): Promise<void> {
  const role = parseRole(options.role);
  if (!role)
    fail(`--role ${options.role} is not a role: use one of ${ROLES.join(', ').toLowerCase()}`);
  const { createApiKey, createDb } = await keyStore();
  const db = createDb(requireDatabase(config));
  try {
    const key = await createApiKey(db, { name: options.name, role });
    process.stderr.write(`created ${role.toLowerCase()} key ${key.prefix} ("${options.name}"); `);
    process.stderr.write('it is shown only now:\n');
    console.log(key.token);
  } finally {
    await db.$disconnect();
  }
}

export async function revokeKeyCommand(config: LabConfig, prefix: string): Promise<void> {
  const { revokeApiKey, createDb } = await keyStore();
  const db = createDb(requireDatabase(config));
  try {
    if (!(await revokeApiKey(db, prefix))) fail(`no active key with prefix ${prefix}`);
    console.log(`revoked key ${prefix}`);
  } finally {
    await db.$disconnect();
  }
}

/** `lab keys create` and `lab keys revoke`. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys (DATABASE_URL required)');
  keys
    .command('create')
    .description('create an API key and print it once')
    .requiredOption('--role <role>', 'viewer (read), editor (read and queue) or admin')
    .option('--name <name>', 'who or what the key is for', 'unnamed')
    .action((options: { role: string; name: string }) => createKeyCommand(readConfig(), options));
  keys
    .command('revoke')
    .description('revoke the key with this prefix')
    .argument('<prefix>', 'the prefix `keys create` printed')
    .action((prefix: string) => revokeKeyCommand(readConfig(), prefix));
}
