import { describe, expect, it } from 'vitest';
import { historyPlotSvg, parseHistory } from '../src/cli/history-plot.ts';

const HISTORY = [
  '{"step":1,"train_loss":8.3,"learning_rate":0.001}',
  '{"step":1,"val_loss":8.4}',
  '{"step":2,"train_loss":7.9,"learning_rate":0.002}',
  '{"step":2,"val_loss":7.95}',
  '',
].join('\n');

describe('training history plot', () => {
  it('draws each metric as a named series of an SVG chart', () => {
    const svg = historyPlotSvg(parseHistory(HISTORY, 'history.jsonl'), {
      metrics: ['train_loss', 'val_loss'],
      title: 'Loss',
    });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['Loss', 'train_loss', 'val_loss', 'step']) expect(svg).toContain(text);
    // Two series: the training line and the validation line.
    expect(svg.match(/<path d="M[^"]*L[^"]*" fill="none"[^>]*stroke-width="2"/g)?.length).toBe(2);
  });

  it('names the metrics a history has when asked for one it lacks', () => {
    expect(() =>
      historyPlotSvg(parseHistory(HISTORY, 'history.jsonl'), { metrics: ['val_ppl'], title: '' }),
    ).toThrow('no val_ppl in the history (it has: train_loss, learning_rate, val_loss)');
  });

  it('refuses lines that are not JSON or have no step, naming the line', () => {
    expect(() => parseHistory('{"step":1}\nnot json', 'h.jsonl')).toThrow(
      'h.jsonl: line 2 is not JSON',
    );
    expect(() => parseHistory('{"loss":1}', 'h.jsonl')).toThrow(
      'h.jsonl: line 1 has no numeric "step"',
    );
  });
});
