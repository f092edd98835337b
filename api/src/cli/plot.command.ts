import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { fail } from './fail.ts';

interface PlotOptions {
  history: string;
  out: string;
  metrics: string;
  title: string;
}

/** `lab plot`: a training run's curves from its history.jsonl, as an SVG image. */
export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description("draw a training run's curves (its history.jsonl) as an SVG image")
    .requiredOption('--history <file>', 'history.jsonl that lab pretrain wrote')
    .requiredOption('--out <file>', 'SVG file to write')
    .option('--metrics <list>', 'metric keys, comma-separated', 'train_loss,val_loss')
    .option('--title <text>', 'chart title', 'Training and validation loss (nats per token)')
    .action(async (options: PlotOptions) => {
      const { historyPlotSvg, parseHistory } = await import('./history-plot.ts');
      const text = await readFile(options.history, 'utf8').catch(() =>
        fail(`--history ${options.history}: cannot read the file`),
      );
      try {
        const svg = historyPlotSvg(parseHistory(text, options.history), {
          metrics: options.metrics.split(',').map((metric) => metric.trim()),
          title: options.title,
        });
        await writeFile(options.out, svg);
      } catch (error) {
        fail((error as Error).message);
      }
      process.stderr.write(`wrote ${options.out}\n`);
    });
}
