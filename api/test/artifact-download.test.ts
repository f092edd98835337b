import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../api/src/auth/api-keys.ts';
import { PathRoots } from '../../api/src/files/path-roots.ts';
import { recordArtifact } from '../../api/src/worker/artifact-record.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface ErrorBody {
  errors: { message: string; extensions: { code: string; field?: string } }[];
}

/**
 * GET /artifacts/:id (and a folder's /files) over the real API: the bytes a worker recorded,
 * checked against the recorded sha256, with the keys, roles and path roots GraphQL has.
 */
describe.each(databaseTargets())('artifact downloads on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let securedApi: TestApi;
  let scratch: string;
  /** The API's only path root, inside `scratch`; `outside` is its sibling. */
  let root: string;
  let outside: string;
  let runId: string;
  /** A report file the worker recorded, whole and unchanged. */
  let reportArtifact: { id: string; sha256: string };
  const tokens = new Map<string, string>();
  const report = randomBytes(3 * 2 ** 20 + 17); // several read chunks, not a whole block
  const weights = randomBytes(70_000);
  const longName = `${'n'.repeat(120)}.json`;

  /** Records `file` as the worker does and returns the artifact's id. */
  async function record(kind: 'REPORT' | 'CHECKPOINT' | 'MODEL', file: string, step?: number) {
    await recordArtifact(database.db, runId, { kind, path: file, step });
    const row = await database.db.artifact.findFirstOrThrow({
      where: { runId, path: path.resolve(file) },
      orderBy: { createdAt: 'desc' },
    });
    return row;
  }

  const get = (base: string, route: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${route}`, { headers });

  async function refusal(response: Response) {
    const body = (await response.json()) as ErrorBody;
    return { status: response.status, ...body.errors[0]! };
  }

  beforeAll(async () => {
    database = await createTestDatabase(target);
    scratch = await mkdtemp(path.join(tmpdir(), 'factorlab-artifacts-'));
    root = path.join(scratch, 'root');
    outside = path.join(scratch, 'outside');
    await mkdir(path.join(root, 'run', 'checkpoints', 'step-00000004', 'tokenizer'), {
      recursive: true,
    });
    await mkdir(outside);
    const options = { paths: new PathRoots([root]) };
    api = await startTestApi(database, 'off', options);
    securedApi = await startTestApi(database, 'on', options);
    tokens.set('viewer', (await createApiKey(database.db, { name: 'v', role: 'VIEWER' })).token);
    const revoked = await createApiKey(database.db, { name: 'old', role: 'ADMIN' });
    await revokeApiKey(database.db, revoked.prefix);
    tokens.set('revoked', revoked.token);
    runId = (await queueSelftest(database.db, { size: 8 })).id;
    const reportFile = path.join(root, 'run', 'report.json');
    await writeFile(reportFile, report);
    reportArtifact = await record('REPORT', reportFile);
  });
  afterAll(async () => {
    await api?.stop();
    await securedApi?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('streams a file artifact byte for byte, with its sha256 as ETag and an attachment name', async () => {
    const artifact = reportArtifact;
    const response = await get(api.url, `/artifacts/${artifact.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBe(String(report.length));
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="report.json"; filename*=UTF-8''report.json`,
    );
    expect(response.headers.get('etag')).toBe(`"${artifact.sha256}"`);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(Buffer.from(body).equals(report)).toBe(true);
    expect(sha256(body)).toBe(artifact.sha256);

    const again = await get(api.url, `/artifacts/${artifact.id}`, {
      'if-none-match': `"${artifact.sha256}"`,
    });
    expect(again.status).toBe(304);
    const head = await fetch(`${api.url}/artifacts/${artifact.id}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(report.length));
  });

  it('serves a checkpoint folder as a tar whose files hash to the recorded sha256, and each file alone', async () => {
    const folder = path.join(root, 'run', 'checkpoints', 'step-00000004');
    const files: [string, Uint8Array | string][] = [
      ['config.json', '{"hidden_size": 8}\n'],
      ['model.safetensors', weights],
      ['tokenizer.json', '{"model": {}}\n'],
      [`tokenizer/${longName}`, 'long\n'],
      ['notes-é.txt', 'accent\n'],
    ];
    for (const [name, bytes] of files) await writeFile(path.join(folder, name), bytes);
    // A link inside the folder is neither hashed by the worker nor served.
    await symlink(path.join(folder, 'config.json'), path.join(folder, 'link.json'));
    const artifact = await record('CHECKPOINT', folder, 4);

    const response = await get(api.url, `/artifacts/${artifact.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="step-00000004\.tar"/,
    );
    expect(response.headers.get('etag')).toBe(`W/"${artifact.sha256}"`);
    const tar = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(tar.length));
    const archive = path.join(scratch, 'download.tar');
    await writeFile(archive, tar);
    const names = execFileSync('tar', ['--quoting-style=literal', '-tf', archive], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    })
      .trim()
      .split('\n');
    const expected = files.map(([name]) => `step-00000004/${name}`).sort();
    expect(names).toEqual(expected);
    // Extracted in archive order, the bytes are those the worker hashed.
    expect(sha256(execFileSync('tar', ['-xOf', archive], { maxBuffer: 2 ** 26 }))).toBe(
      artifact.sha256,
    );

    const listing = (await (await get(api.url, `/artifacts/${artifact.id}/files`)).json()) as {
      artifact: { shape: string; download: string };
      files: { name: string; bytes: number; download: string }[];
    };
    expect(listing.artifact).toMatchObject({
      shape: 'folder',
      download: `/artifacts/${artifact.id}`,
    });
    expect(listing.files.map((file) => file.name)).toEqual(files.map(([name]) => name).sort());
    const weightsEntry = listing.files.find((file) => file.name === 'model.safetensors')!;
    expect(weightsEntry.bytes).toBe(weights.length);
    const one = await get(api.url, weightsEntry.download);
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toBe('application/octet-stream');
    expect(one.headers.get('etag')).toBeNull();
    expect(Buffer.from(await one.arrayBuffer()).equals(weights)).toBe(true);
    const accented = listing.files.find((file) => file.name === 'notes-é.txt')!;
    const accentedResponse = await get(api.url, accented.download);
    expect(accentedResponse.headers.get('content-disposition')).toBe(
      `attachment; filename="notes-_.txt"; filename*=UTF-8''notes-%C3%A9.txt`,
    );
    expect(await accentedResponse.text()).toBe('accent\n');

    for (const name of ['link.json', '..%2F..%2Freport.json', 'nothing.bin']) {
      const missing = await refusal(await get(api.url, `/artifacts/${artifact.id}/files/${name}`));
      expect(missing).toMatchObject({ status: 404, extensions: { code: 'NOT_FOUND' } });
      expect(missing.message).toContain(`GET /artifacts/${artifact.id}/files lists`);
    }
  });

  it('refuses a malformed id with 400 and an unknown one with 404', async () => {
    const malformed = await refusal(await get(api.url, '/artifacts/not-an-id'));
    expect(malformed).toMatchObject({
      status: 400,
      extensions: { code: 'BAD_USER_INPUT', field: 'artifactId' },
    });
    expect(malformed.message).toBe(
      'artifactId: "not-an-id" is not an artifact id: give the UUID that run.artifacts { id } lists',
    );
    const unknown = randomUUID();
    for (const route of [`/artifacts/${unknown}`, `/artifacts/${unknown}/files`]) {
      expect(await refusal(await get(api.url, route))).toMatchObject({
        status: 404,
        message: `artifact ${unknown} does not exist`,
        extensions: { code: 'NOT_FOUND' },
      });
    }
  });

  it('refuses an artifact outside the path roots, by its path, a link or "..", naming no path', async () => {
    const secret = path.join(outside, 'secret.json');
    await writeFile(secret, '{"secret": true}\n');
    const linkedFile = path.join(root, 'run', 'linked.json');
    await symlink(secret, linkedFile);
    const linkedFolder = path.join(root, 'run', 'linked-model');
    await mkdir(linkedFolder);
    await writeFile(path.join(linkedFolder, 'config.json'), '{}\n');
    await symlink(secret, path.join(linkedFolder, 'model.safetensors'));
    const rows = [
      await record('REPORT', secret),
      await record('REPORT', linkedFile),
      await record('MODEL', linkedFolder),
    ];
    // A row whose stored path climbs out of the root with "..".
    const climbing = await database.db.artifact.create({
      data: {
        runId,
        kind: 'REPORT',
        path: `${root}/run/../../outside/secret.json`,
        bytes: BigInt(17),
        sha256: rows[0]!.sha256,
      },
    });
    for (const artifact of [...rows, climbing]) {
      for (const route of [`/artifacts/${artifact.id}`, `/artifacts/${artifact.id}/files`]) {
        const response = await get(api.url, route);
        const text = await response.text();
        expect(response.status).toBe(403);
        const body = JSON.parse(text) as ErrorBody;
        expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
        expect(body.errors[0]!.message).toMatch(
          new RegExp(`^artifact ${artifact.id} \\(the \\w+ of run ${runId}\\) lies outside`),
        );
        expect(text).not.toContain(scratch);
        expect(text).not.toContain('secret');
      }
    }
  });

  it('answers 404 naming the artifact when its file is gone, and 409 when it changed', async () => {
    const file = path.join(root, 'run', 'gone.json');
    await writeFile(file, '{}\n');
    const gone = await record('REPORT', file);
    await rm(file);
    const answer = await refusal(await get(api.url, `/artifacts/${gone.id}`));
    expect(answer).toMatchObject({ status: 404, extensions: { code: 'NOT_FOUND' } });
    expect(answer.message).toBe(
      `artifact ${gone.id} (the report of run ${runId}) is not on this API's machine: ${file} ` +
        'is gone. Its run may have deleted it (a pretrain run keeps only its newest ' +
        'checkpoints), or its worker ran on another machine without storage shared with the ' +
        'API: share that folder at the same path with the API, or copy the file from the worker',
    );

    const changing = path.join(root, 'run', 'changing.json');
    await writeFile(changing, '{}\n');
    const changed = await record('REPORT', changing);
    await writeFile(changing, '{"more": 1}\n');
    expect(await refusal(await get(api.url, `/artifacts/${changed.id}`))).toMatchObject({
      status: 409,
      extensions: { code: 'CONFLICT' },
    });
  });

  it.each([
    { caller: 'no key', token: undefined, status: 401, code: 'UNAUTHENTICATED' },
    { caller: 'a garbage key', token: 'flk_notarealkey_abc', status: 401, code: 'UNAUTHENTICATED' },
    { caller: 'a revoked key', token: 'revoked', status: 401, code: 'UNAUTHENTICATED' },
  ])('with auth on, refuses $caller with $status', async ({ token, status, code }) => {
    const artifact = reportArtifact;
    const key = token === undefined ? undefined : (tokens.get(token) ?? token);
    for (const route of [`/artifacts/${artifact.id}`, `/artifacts/${artifact.id}/files`]) {
      const response = await get(
        securedApi.url,
        route,
        key === undefined ? {} : { authorization: `Bearer ${key}` },
      );
      expect(await refusal(response)).toMatchObject({ status, extensions: { code } });
    }
  });

  it('with auth on, serves a viewer key; a foreign origin is refused', async () => {
    const artifact = reportArtifact;
    const authorization = `Bearer ${tokens.get('viewer')!}`;
    const response = await get(securedApi.url, `/artifacts/${artifact.id}`, { authorization });
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(artifact.sha256);
    const foreign = await get(securedApi.url, `/artifacts/${artifact.id}`, {
      authorization,
      origin: 'https://evil.example',
    });
    expect(await refusal(foreign)).toMatchObject({
      status: 403,
      extensions: { code: 'FORBIDDEN' },
    });
  });
});
