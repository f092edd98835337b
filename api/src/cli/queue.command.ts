import type { Command } from 'commander';
import { readConfig, type LabConfig } from '../config.ts';
import { collect, integer } from './flags.ts';
import { callApi } from './api-client.ts';
import { readJobConfig, type ConfigSources } from './job-config.ts';
import { refuseRelativeModelPath } from './queued-paths.ts';
import { formatMetricValue } from './runs-table.ts';

export interface QueueOptions extends ConfigSources {
  name?: string;
  priority: number;
  tag: string[];
  wait?: boolean;
}

interface QueuedRun {
  id: string;
  status: string;
  error: string | null;
  metrics: { key: string; value: number }[];
}

const RUN_FIELDS = 'id status error metrics { key value }';

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

async function waitForRun(lab: LabConfig, id: string): Promise<QueuedRun> {
  for (;;) {
    const { run } = await callApi<{ run: QueuedRun }>(
      lab,
      `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`,
      { id },
    );
    if (FINISHED.has(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export async function queueCommand(
  lab: LabConfig,
  kind: string,
  options: QueueOptions,
): Promise<void> {
  const config = await readJobConfig(options);
  refuseRelativeModelPath(config);
  const input = {
    kind,
    name: options.name,
    config,
    priority: options.priority,
    tags: options.tag,
  };
  const { queueExperiment } = await callApi<{ queueExperiment: { run: QueuedRun } }>(
    lab,
    `mutation($input: QueueExperimentInput!) { queueExperiment(input: $input) { run { ${RUN_FIELDS} } } }`,
    { input },
  );
  const queued = queueExperiment.run;
  console.log(`queued run ${queued.id}`);
  if (!options.wait) return;
  const finished = await waitForRun(lab, queued.id);
  console.log(
    `run ${finished.id} ${finished.status}${finished.error ? `: ${finished.error}` : ''}`,
  );
  for (const metric of finished.metrics)
    console.log(`  ${metric.key} = ${formatMetricValue(metric.value)}`);
  if (finished.status !== 'SUCCEEDED') process.exitCode = 1;
}

/** `lab queue KIND`. */
export function registerQueue(program: Command): void {
  program
    .command('queue')
    .description('queue a run of a job kind through the API')
    .argument('<kind>', 'job kind, e.g. selftest')
    .option('--config <file>', 'JSON file with the job config')
    .option('--set <key=value>', 'set one config value (repeatable)', collect, [])
    .option('--name <name>', 'experiment name')
    .option('--priority <n>', 'from -100 to 100; higher runs sooner', integer, 0)
    .option('--tag <tag>', 'tag the experiment (repeatable)', collect, [])
    .option('--wait', 'wait until the run finishes and print its metrics')
    .action((kind: string, options: QueueOptions) => queueCommand(readConfig(), kind, options));
}
