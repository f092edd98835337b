import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { readConfig, type LabConfig } from '../config.ts';
import { authHeaders, unreachableApi } from './api-client.ts';

export interface ExportOptions {
  format: string;
  status?: string;
  kind?: string;
  tags?: string;
  metrics?: string;
  limit?: string;
  out?: string;
}

/**
 * `lab export`: the API's streamed runs export, to stdout or a file. The file is written beside
 * its final name and renamed once complete, so a failed export leaves nothing half-written.
 */
export async function exportCommand(lab: LabConfig, options: ExportOptions): Promise<void> {
  if (options.format !== 'csv' && options.format !== 'json') {
    throw new Error(`--format ${options.format}: use csv or json`);
  }
  const url = new URL(`${lab.apiUrl.replace(/\/$/, '')}/export/runs.${options.format}`);
  for (const name of ['status', 'kind', 'tags', 'metrics', 'limit'] as const) {
    const value = options[name];
    if (value !== undefined) url.searchParams.set(name, value);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      headers: authHeaders(lab),
    });
  } catch {
    throw unreachableApi(url.origin);
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as {
      errors?: { message: string }[];
    } | null;
    throw new Error(body?.errors?.[0]?.message ?? `the export failed with HTTP ${response.status}`);
  }
  const source = Readable.fromWeb(response.body as WebReadableStream);
  if (!options.out) {
    await pipeline(source, process.stdout);
    return;
  }
  const partial = `${options.out}.partial`;
  try {
    await pipeline(source, fs.createWriteStream(partial));
    fs.renameSync(partial, options.out);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
  process.stderr.write(`wrote ${options.out}\n`);
}

/** `lab export`. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export runs with their config and metrics as CSV or JSON')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--status <list>', 'only these statuses, comma-separated')
    .option('--kind <list>', 'only these job kinds')
    .option('--tags <list>', 'only runs with all these tags')
    .option('--metrics <list>', 'metric keys to add as columns')
    .option('--limit <n>', 'at most this many runs (up to 50,000)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((options: ExportOptions) => exportCommand(readConfig(), options));
}
