import { describe, expect, it } from 'vitest';
import type { TestApi } from '../../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../../test/support/api-fixture.ts';
import { queueSelftest } from '../../../test/support/runs.ts';
import { databaseTargets, type TestDatabase } from '../../../test/support/test-database.ts';
import { expectServesNormally, rowCounts } from './guard.ts';

const QUEUE_SWEEP = `mutation($input: QueueSweepInput!) { queueSweep(input: $input) { sweep { id } } }`;
const QUEUE = `mutation($input: QueueExperimentInput!) { queueExperiment(input: $input) { run { id } } }`;
const CLONE = `mutation($id: ID!, $patch: JSON) {
  cloneRun(id: $id, configPatch: $patch) { run { id } userErrors { field code message } } }`;

/** Prototype keys as JSON text, so they arrive as own keys (an object literal would set a prototype). */
const parse = (json: string): unknown => JSON.parse(json);

interface Case {
  name: string;
  query: string;
  variables: (runId: string) => Record<string, unknown>;
  /** The error code expected, and where: top-level `errors` or the payload's `userErrors`. */
  expect: { errorCode: string; field?: string } | { userErrorCode: string; field: string };
}

const sweep = (parameters: unknown, baseConfig: unknown = {}) => ({
  input: { kind: 'selftest', baseConfig, parameters },
});

const CASES: Case[] = [
  ...['__proto__.x', 'constructor.prototype.x', 'prototype', 'size.__proto__', '__proto__'].map(
    (path): Case => ({
      name: `sweep parameter path ${path}`,
      query: QUEUE_SWEEP,
      variables: () => sweep([{ path, values: [1] }]),
      expect: { errorCode: 'BAD_USER_INPUT', field: 'parameters.0.path' },
    }),
  ),
  {
    name: 'sweep parameter path to a field the job lacks',
    query: QUEUE_SWEEP,
    variables: () => sweep([{ path: 'optim.lr', values: [1] }]),
    expect: { errorCode: 'BAD_USER_INPUT', field: 'parameters.0.path' },
  },
  {
    name: 'sweep base config with a __proto__ key',
    query: QUEUE_SWEEP,
    variables: () => sweep([{ path: 'size', values: [8] }], parse('{"__proto__": {"x": 1}}')),
    expect: { errorCode: 'BAD_USER_INPUT' },
  },
  {
    name: 'sweep value holding a constructor key',
    query: QUEUE_SWEEP,
    variables: () => sweep([{ path: 'size', values: [parse('{"constructor": {"x": 1}}')] }]),
    expect: { errorCode: 'BAD_USER_INPUT' },
  },
  {
    name: 'queueExperiment config with a __proto__ key in variables',
    query: QUEUE,
    variables: () => ({ input: { kind: 'selftest', config: parse('{"__proto__": {"size": 8}}') } }),
    expect: { errorCode: 'BAD_USER_INPUT' },
  },
  {
    name: 'queueExperiment config with a __proto__ key in the query text',
    query: `mutation { queueExperiment(input: {kind: "selftest", config: {__proto__: {x: 1}}}) {
      run { id } } }`,
    variables: () => ({}),
    expect: { errorCode: 'BAD_USER_INPUT' },
  },
  {
    name: 'cloneRun patch with a __proto__ key',
    query: CLONE,
    variables: (id) => ({ id, patch: parse('{"__proto__": {"polluted": true}}') }),
    expect: { errorCode: 'BAD_USER_INPUT' },
  },
  {
    name: 'cloneRun patch reaching constructor.prototype in the query text',
    query: `mutation($id: ID!) { cloneRun(id: $id, configPatch: {constructor: {prototype: {x: 1}}}) {
      run { id } userErrors { code } } }`,
    variables: (id) => ({ id }),
    expect: { errorCode: 'BAD_USER_INPUT' },
  },
  {
    name: 'cloneRun patch nesting into a number field',
    query: CLONE,
    variables: (id) => ({ id, patch: { size: { x: 1 } } }),
    expect: { userErrorCode: 'BAD_USER_INPUT', field: 'configPatch.size.x' },
  },
  {
    name: 'cloneRun patch with a field the job lacks',
    query: CLONE,
    variables: (id) => ({ id, patch: { optim: { lr: 1 } } }),
    expect: { userErrorCode: 'BAD_USER_INPUT', field: 'configPatch.optim.lr' },
  },
  {
    name: 'run filter value with a prototype key deep inside',
    query: `query($value: JSON) { runs(first: 1, filter: {config: [{path: "size", equals: $value}]}) {
      totalCount } }`,
    variables: () => ({ value: parse('{"a": [{"b": {"__proto__": {"x": 1}}}]}') }),
    expect: { errorCode: 'BAD_USER_INPUT' },
  },
];

describe.each(databaseTargets())('prototype keys in input on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it.each(CASES)('$name is refused and changes nothing', async (testCase) => {
    const runId = (await queueSelftest(database.db, { size: 8 })).id;
    const before = await rowCounts(database);
    const response = await api.gql<Record<string, { userErrors?: unknown[] }>>(
      testCase.query,
      testCase.variables(runId),
    );
    if ('errorCode' in testCase.expect) {
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual([testCase.expect.errorCode]);
      if (testCase.expect.field) {
        expect(response.errors?.[0]?.extensions?.field).toBe(testCase.expect.field);
      }
    } else {
      expect(response.errors).toBeUndefined();
      expect(response.data?.cloneRun?.userErrors).toEqual([
        expect.objectContaining({
          code: testCase.expect.userErrorCode,
          field: testCase.expect.field,
        }),
      ]);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(await rowCounts(database)).toEqual(before);
    await expectServesNormally(api);
  });
});
