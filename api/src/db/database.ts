import type { LabConfig } from '../config.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export interface LabDatabase {
  url: string;
  embedded: boolean;
  /** The embedded cluster's folder; undefined for a server. */
  clusterDir?: string;
  stop(): Promise<void>;
}

/** The lab's database: the server DATABASE_URL names, or else the embedded one in the data dir. */
export async function openLabDatabase(config: LabConfig): Promise<LabDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: () => Promise.resolve() };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedDbPort);
  return {
    url: embedded.url,
    embedded: true,
    clusterDir: embedded.clusterDir,
    stop: embedded.stop,
  };
}

/** A connection URL with its password masked, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
