import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Status = 'passed' | 'failed' | 'skipped' | 'todo';

/** A vitest JSON report holding `tests` (full name and status), as .lab/test-report.json does. */
function report(tests: [string, Status][]) {
  const count = (status: Status) => tests.filter(([, s]) => s === status).length;
  return {
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('skipped'),
    numTodoTests: count('todo'),
    testResults: [
      {
        name: 'some.test.ts',
        assertionResults: tests.map(([fullName, status]) => ({ fullName, status })),
      },
    ],
  };
}

// What CI runs when all is well: each required group, and the one skip it cannot run.
const CI_RUN: [string, Status][] = [
  ['PyTorch peer (needs python3 with torch and numpy) times prefill and decode', 'passed'],
  ["worker on the 'server' PostgreSQL leases a self-test run", 'passed'],
  ['f16 storage (needs shader-f16) rounds to nearest', 'passed'],
  [
    'training against the PyTorch peer 20 steps of AdamW with warm-up, clipping and accumulation give the same loss curve',
    'passed',
  ],
  [
    'training benchmark times forward, backward and optimizer, the matmul rate and the PyTorch peer',
    'passed',
  ],
  [
    'vendor BLAS peer (cuBLAS through PyTorch) measures f32 and f16 cuBLAS matmuls (needs an NVIDIA GPU and PyTorch with CUDA)',
    'skipped',
  ],
  [
    'PyTorch peer is skipped, saying why, on a machine whose python3 has no torch (not CI, which installs it)',
    'skipped',
  ],
];

describe('.ci/summary.mjs', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'factorlab-summary-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function summarise(tests: [string, Status][]) {
    const path = join(folder, `${Math.random()}.json`);
    await writeFile(path, JSON.stringify(report(tests)));
    const { status, stdout } = spawnSync(process.execPath, ['.ci/summary.mjs', path], {
      encoding: 'utf8',
    });
    return { status, lines: stdout.trim().split('\n') };
  }

  it('passes a run whose only skips are listed, saying why each was skipped', async () => {
    const { status, lines } = await summarise(CI_RUN);
    expect(lines.at(-1)).toBe('tests: 5 passed, 0 failed, 2 skipped (2 expected, 0 unexpected)');
    expect(lines.filter((line) => line.startsWith('skipped as expected:'))).toHaveLength(2);
    expect(status).toBe(0);
  });

  it('fails a run with a skip it does not list, naming the test', async () => {
    const { status, lines } = await summarise([
      ...CI_RUN,
      ['matmul with f16 compute (needs shader-f16) matches a float64 reference', 'skipped'],
    ]);
    expect(lines).toContain(
      'UNEXPECTED SKIP: matmul with f16 compute (needs shader-f16) matches a float64 reference (some.test.ts)',
    );
    expect(lines.at(-1)).toBe('tests: 5 passed, 0 failed, 3 skipped (2 expected, 1 unexpected)');
    expect(status).toBe(1);
  });

  it('fails a run in which a required group did not run, even with nothing skipped', async () => {
    const { status, lines } = await summarise(CI_RUN.filter(([name]) => !/server/.test(name)));
    expect(lines).toContain(
      "NOT RUN: the database tests on the machine's PostgreSQL (FACTORLAB_TEST_SERVER_URL)",
    );
    expect(status).toBe(1);
  });

  it('fails a run with a failed test or a todo', async () => {
    expect((await summarise([...CI_RUN, ['x fails', 'failed']])).status).toBe(1);
    expect((await summarise([...CI_RUN, ['x is to do', 'todo']])).status).toBe(1);
  });
});
