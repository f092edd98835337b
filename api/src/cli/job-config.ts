import fs from 'node:fs/promises';

/** Where a command line takes a job config from: a JSON file, then `--set key=value` overrides. */
export interface ConfigSources {
  config?: string;
  set: string[];
}

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

export async function readJobConfig(options: ConfigSources): Promise<Record<string, unknown>> {
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
