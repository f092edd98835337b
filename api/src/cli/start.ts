import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, type LabConfig } from '../config.ts';
import { createDb, type Db } from '../db/client.ts';
import { openLabDatabase, redactUrl } from '../db/database.ts';
import { migrateDatabase } from '../queue/migrate-database.ts';
import { labPathRoots } from '../files/path-roots.ts';
import { DEMO_MODEL, registerDemoModel } from './demo-model.ts';
import { startApiServer } from '../graphql/server.ts';
import { recordWorkerDeath } from '../worker/lease.ts';
import { WorkerSupervisor } from '../worker/supervisor.ts';
import { EXIT_NO_ADAPTER } from './serve.ts';
import { onShutdown } from './shutdown.ts';
import { ensureWebBuilt, spawnWeb } from './web-process.ts';

const labBin = path.join(repoRoot, 'api', 'bin', 'lab.js');

function spawnWorker(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, [labBin, 'worker'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** This machine's worker, restarted when it dies; each death recorded for the workers view. */
function superviseWorker(db: Db, databaseUrl: string): WorkerSupervisor {
  const supervisor = new WorkerSupervisor({
    spawn: () => spawnWorker(databaseUrl),
    recordDeath: async (pid, reason) => {
      const dead = await recordWorkerDeath(db, os.hostname(), pid, reason);
      if (!dead) return 'it had not registered';
      return dead.runIds.length > 0
        ? `run ${dead.runIds.join(', ')} queued again, to resume from its latest checkpoint`
        : '';
    },
    log: (line) => console.error(line),
    finalExits: new Map([
      [EXIT_NO_ADAPTER, 'running without a worker; queued runs wait until one connects'],
    ]),
  });
  supervisor.start();
  return supervisor;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * `npm start`: the whole lab on one machine. Database (embedded unless DATABASE_URL), migrations,
 * the API in this process, a worker and the dashboard as child processes; Ctrl-C stops them all.
 */
export async function startLab(
  config: LabConfig,
  options: { worker: boolean; web: boolean },
): Promise<void> {
  const database = await openLabDatabase(config);
  const stops: (() => Promise<void>)[] = [database.stop];
  let worker: WorkerSupervisor | undefined;
  let web: ChildProcess | undefined;
  const stopAll = async () => {
    await Promise.all([worker?.stop(), stopChild(web)]);
    for (const stop of stops.reverse()) await stop();
  };
  try {
    console.log(
      database.embedded
        ? `database: embedded PostgreSQL in ${database.clusterDir} (${redactUrl(database.url)})`
        : `database: ${redactUrl(database.url)}`,
    );
    await migrateDatabase(database.url);
    const db = createDb(database.url);
    stops.push(() => db.$disconnect());
    const demo = await registerDemoModel(db, labPathRoots(config));
    if (demo === 'registered')
      console.log(`models:    registered the demo model (${DEMO_MODEL.directory})`);
    const auth = config.auth ?? (database.embedded ? 'off' : 'on');
    const api = await startApiServer(db, {
      host: config.apiHost,
      port: config.apiPort,
      auth,
      databaseUrl: database.url,
      allowedOrigins: config.allowedOrigins,
    });
    stops.push(api.stop);
    console.log(`api:       ${api.url}/graphql`);
    console.log(
      auth === 'off'
        ? 'auth:      OFF: anyone who reaches the API may read and change everything (local lab)'
        : 'auth:      on: send an API key (`npx lab keys create --role editor`)',
    );
    if (options.worker) worker = superviseWorker(db, database.url);
    if (options.web) {
      ensureWebBuilt();
      web = spawnWeb(config.webPort, api.url, config.webHost);
      console.log(`dashboard: http://${config.webHost}:${config.webPort}`);
    }
    console.log('press Ctrl-C to stop');
  } catch (error) {
    await stopAll();
    throw error;
  }
  onShutdown(async () => {
    console.log('\nstopping...');
    // Closing the database pool can leave its promise unsettled once every connection is gone;
    // the process then ends by itself, so "stopped" is said when nothing is left to wait for too.
    process.once('beforeExit', () => console.log('stopped'));
    await stopAll();
    console.log('stopped');
  });
}
