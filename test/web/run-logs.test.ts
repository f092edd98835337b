import fs from 'node:fs/promises';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import {
  appendLogLines,
  LOGS_APPENDED_SUBSCRIPTION,
  parseAfterSeq,
  RUN_LOG_TAIL_QUERY,
  runLogFeedHref,
  type LogLine,
} from '../../web/lib/run-logs.ts';

const line = (seq: number): LogLine => ({
  seq,
  level: 'INFO',
  message: `line ${seq}`,
  loggedAt: '2026-12-06T22:00:00.000Z',
});
const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => line(from + i));

describe("the run page's log operations and merging", () => {
  it.each([
    ['RunLogTail', RUN_LOG_TAIL_QUERY],
    ['LogsAppended', LOGS_APPENDED_SUBSCRIPTION],
  ])('%s is valid against the committed schema', async (name, document) => {
    const schema = buildSchema(
      await fs.readFile(path.join(repoRoot, 'api', 'schema.graphql'), 'utf8'),
    );
    const parsed = parse(document);
    const operation = parsed.definitions[0];
    expect(operation?.kind === 'OperationDefinition' && operation.name?.value).toBe(name);
    expect(validate(schema, parsed).map((error) => error.message)).toEqual([]);
  });

  it('appends each line once, in seq order, keeping the newest', () => {
    const shown = lines(1, 5);
    // A batch replayed after a reconnect overlaps what is shown.
    expect(appendLogLines(shown, lines(4, 8)).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(appendLogLines(shown, lines(1, 3))).toEqual(shown);
    expect(appendLogLines(shown, lines(6, 12), 4).map((l) => l.seq)).toEqual([9, 10, 11, 12]);
    expect(appendLogLines([], [])).toEqual([]);
  });

  it('reads afterSeq from the feed address, refusing what is not a line number', () => {
    const href = runLogFeedHref('0f0e0d0c-0000-4000-8000-000000000001', 42);
    expect(href).toBe('/runs/0f0e0d0c-0000-4000-8000-000000000001/logs?afterSeq=42');
    expect(parseAfterSeq(new URL(href, 'http://x').searchParams)).toBe(42);
    expect(parseAfterSeq(new URLSearchParams())).toBe(0);
    for (const bad of ['-1', '1.5', 'abc', '']) {
      expect(() => parseAfterSeq(new URLSearchParams({ afterSeq: bad }))).toThrow(
        `afterSeq: "${bad}" is not a log line number`,
      );
    }
  });
});
