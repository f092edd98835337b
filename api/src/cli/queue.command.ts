import fs from 'node:fs/promises';
import type { LabConfig } from '../config.ts';
import { callApi } from './api-client.ts';

export interface QueueOptions {
  config?: string;
  set: string[];
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

/** `key=value` with value read as JSON when it parses (numbers, booleans), else as a string. */
function parseAssignment(assignment: string): [string, unknown] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set ${assignment}: expected key=value`);
  const raw = assignment.slice(eq + 1);
  try {
    return [assignment.slice(0, eq), JSON.parse(raw)];
  } catch {
    return [assignment.slice(0, eq), raw];
  }
}

async function readJobConfig(options: QueueOptions): Promise<Record<string, unknown>> {
  let config: Record<string, unknown> = {};
  if (options.config) {
    const text = await fs.readFile(options.config, 'utf8').catch(() => {
      throw new Error(`--config ${options.config}: cannot read the file`);
    });
    try {
      config = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`--config ${options.config}: not valid JSON (${(error as Error).message})`);
    }
  }
  for (const assignment of options.set) {
    const [key, value] = parseAssignment(assignment);
    config[key] = value;
  }
  return config;
}

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

async function waitForRun(apiUrl: string, id: string): Promise<QueuedRun> {
  for (;;) {
    const { run } = await callApi<{ run: QueuedRun }>(
      apiUrl,
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
  const input = {
    kind,
    name: options.name,
    config: await readJobConfig(options),
    priority: options.priority,
    tags: options.tag,
  };
  const { queueExperiment } = await callApi<{ queueExperiment: { run: QueuedRun } }>(
    lab.apiUrl,
    `mutation($input: QueueExperimentInput!) { queueExperiment(input: $input) { run { ${RUN_FIELDS} } } }`,
    { input },
  );
  const queued = queueExperiment.run;
  console.log(`queued run ${queued.id}`);
  if (!options.wait) return;
  const finished = await waitForRun(lab.apiUrl, queued.id);
  console.log(
    `run ${finished.id} ${finished.status}${finished.error ? `: ${finished.error}` : ''}`,
  );
  for (const metric of finished.metrics) console.log(`  ${metric.key} = ${metric.value}`);
  if (finished.status !== 'SUCCEEDED') process.exitCode = 1;
}
