import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalisedOrigin } from './auth/origin-policy.ts';
import { DEFAULT_MAX_FILE_BYTES } from './files/path-roots.ts';
import type { AuthMode } from './auth/viewer.ts';

/** The repository root (api/src/config.ts is two levels below it). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Everything the lab reads from its environment, in one place (documented in the README). */
export interface LabConfig {
  /** A PostgreSQL server to use; unset means the embedded one. */
  databaseUrl: string | undefined;
  /** Where the embedded database and other local state live. */
  dataDir: string;
  embeddedDbPort: number;
  apiHost: string;
  apiPort: number;
  webHost: string;
  webPort: number;
  /** How the dashboard reaches the API. */
  apiUrl: string;
  /** API keys required or not; unset means on, except for `lab start` on the embedded database. */
  auth: AuthMode | undefined;
  /** The key the CLI and dashboard send to the API. */
  apiKey: string | undefined;
  /** Web page origins, besides the API's own, that may call the API from a browser. */
  allowedOrigins: string[];
  /** Folders models and datasets may be read from: the lab's own, then FACTORLAB_PATH_ROOTS. */
  pathRoots: string[];
  /** The most bytes a registered model or dataset, or a job's model folder, may hold. */
  maxFileBytes: number;
}

/**
 * The lab's models and data folders in the repository, and its data directory (FACTORLAB_DATA_DIR,
 * where benchmark models, training data and pretrain runs are kept by default).
 */
export function defaultPathRoots(dataDir: string): string[] {
  return [path.join(repoRoot, 'models'), path.join(repoRoot, 'data'), dataDir];
}

function pathRootsFrom(raw: string | undefined): string[] {
  const roots = (raw ?? '').split(path.delimiter).filter((root) => root.trim() !== '');
  for (const root of roots) {
    if (!path.isAbsolute(root)) {
      throw new Error(
        `FACTORLAB_PATH_ROOTS: "${root}" is not an absolute path; list absolute folders ` +
          `separated by "${path.delimiter}"`,
      );
    }
  }
  return roots.map((root) => path.resolve(root));
}

function byteCountFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const bytes = Number(raw);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new Error(`${name}=${raw} is not a byte count: set it to a positive whole number`);
  }
  return bytes;
}

function originsFrom(raw: string | undefined): string[] {
  const origins = (raw ?? '').split(',').map((origin) => origin.trim());
  return origins
    .filter((origin) => origin !== '')
    .map((origin) => {
      try {
        return normalisedOrigin(origin);
      } catch (error) {
        throw new Error(`FACTORLAB_ALLOWED_ORIGINS: ${(error as Error).message}`);
      }
    });
}

function authModeFrom(raw: string | undefined): AuthMode | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'on' || raw === 'off') return raw;
  throw new Error(`FACTORLAB_AUTH=${raw} is not valid: set it to on or off`);
}

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port: set it to an integer between 1 and 65535`);
  }
  return port;
}

export function readConfig(): LabConfig {
  const dataDir = path.resolve(process.env.FACTORLAB_DATA_DIR || path.join(repoRoot, '.lab'));
  const apiHost = process.env.FACTORLAB_API_HOST || '127.0.0.1';
  const apiPort = portFrom('FACTORLAB_API_PORT', 4000);
  return {
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir,
    embeddedDbPort: portFrom('FACTORLAB_DB_PORT', 5433),
    apiHost,
    apiPort,
    webHost: process.env.FACTORLAB_WEB_HOST || '127.0.0.1',
    webPort: portFrom('FACTORLAB_WEB_PORT', 3000),
    apiUrl: process.env.FACTORLAB_API_URL || `http://${apiHost}:${apiPort}`,
    auth: authModeFrom(process.env.FACTORLAB_AUTH),
    apiKey: process.env.FACTORLAB_API_KEY || undefined,
    allowedOrigins: originsFrom(process.env.FACTORLAB_ALLOWED_ORIGINS),
    pathRoots: [...defaultPathRoots(dataDir), ...pathRootsFrom(process.env.FACTORLAB_PATH_ROOTS)],
    maxFileBytes: byteCountFrom('FACTORLAB_MAX_FILE_BYTES', DEFAULT_MAX_FILE_BYTES),
  };
}
