import { createApiKey, revokeApiKey } from '../auth/api-keys.ts';
import { parseRole, ROLES } from '../auth/roles.ts';
import type { LabConfig } from '../config.ts';
import { createDb } from '../db/client.ts';
import { fail } from './fail.ts';

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
  const db = createDb(requireDatabase(config));
  try {
    if (!(await revokeApiKey(db, prefix))) fail(`no active key with prefix ${prefix}`);
    console.log(`revoked key ${prefix}`);
  } finally {
    await db.$disconnect();
  }
}
