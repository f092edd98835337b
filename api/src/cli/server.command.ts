import type { Command } from 'commander';
import { readConfig } from '../config.ts';
import { useProductionMode } from './production-mode.ts';

/**
 * The lab's processes: `lab start` (everything), `lab api`, `lab worker`, `lab web` and
 * `lab migrate`. Their modules (the API server, the worker) load only when one of them runs, so
 * `lab start` and `lab api` can serve with NODE_ENV=production (see useProductionMode).
 */
export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description('run the lab: database (embedded unless DATABASE_URL), API, one worker, dashboard')
    .option('--no-worker', 'do not start a worker on this machine')
    .option('--no-web', 'do not start the dashboard')
    .action(async (options: { worker: boolean; web: boolean }) => {
      useProductionMode();
      const { startLab } = await import('./start.ts');
      await startLab(readConfig(), options);
    });

  program
    .command('api')
    .description('serve the GraphQL API only (DATABASE_URL required)')
    .action(async () => {
      useProductionMode();
      const { serveApi } = await import('./serve.ts');
      await serveApi(readConfig());
    });

  program
    .command('worker')
    .description("execute queued runs on this machine's GPU (DATABASE_URL required)")
    .action(async () => {
      const { serveWorker } = await import('./serve.ts');
      await serveWorker(readConfig());
    });

  program
    .command('web')
    .description('serve the dashboard only, against the API at FACTORLAB_API_URL')
    .action(async () => {
      const { serveWeb } = await import('./serve.ts');
      serveWeb(readConfig());
    });

  program
    .command('migrate')
    .description('bring the database at DATABASE_URL to the current schema')
    .action(async () => {
      const { migrateOnly } = await import('./serve.ts');
      await migrateOnly(readConfig());
    });
}
