import path from 'node:path';
import type { Command } from 'commander';
import { readConfig } from '../config.ts';
import { queueSweepFile, readSweepFile, withAbsolutePaths } from './sweep.command.ts';

/** The small FactorLLM sweep over the demo model that `lab demo` queues. */
export const DEMO_SWEEP = 'examples/factorllm/demo-sweep.json';

/** `lab demo`: queue the demo sweep on a running lab (npm start) and say where to watch it. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      `queue a small FactorLLM sweep on the demo model (${DEMO_SWEEP}): factorise, fine-tune, evaluate, bench`,
    )
    .action(async () => {
      const lab = readConfig();
      const root = path.resolve(import.meta.dirname, '../../..');
      const sweep = withAbsolutePaths(await readSweepFile(path.join(root, DEMO_SWEEP)), root);
      // Under the lab's data folder, which is one of the folders it may write wherever it is.
      sweep.baseConfig.output = path.join(lab.dataDir, 'pipelines', 'demo-sweep-{hash}');
      await queueSweepFile(lab, sweep);
      console.log(
        `watch it at http://${lab.webHost}:${lab.webPort}/runs (each run takes minutes on a CPU adapter)`,
      );
    });
}
