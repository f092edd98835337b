import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactApiPath, relayArtifact } from '../../web/lib/artifact-download.ts';
import { freePort } from '../support/ports.ts';

const ID = '0b7e21aa-5d0c-4c3e-9a55-3f6f1e2d9c01';

describe("the dashboard's artifact download relay", () => {
  let server: http.Server;
  const seen: { url?: string; method?: string; authorization?: string; ifNoneMatch?: string }[] =
    [];
  const saved = { url: process.env.FACTORLAB_API_URL, key: process.env.FACTORLAB_API_KEY };

  beforeAll(async () => {
    // A stand-in for the API: a file for the id, the API's JSON refusal for anything else.
    server = http.createServer((req, res) => {
      seen.push({
        url: req.url,
        method: req.method,
        authorization: req.headers.authorization,
        ifNoneMatch: req.headers['if-none-match'],
      });
      if (req.url === `/artifacts/${ID}`) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': '12',
          'content-disposition': 'attachment; filename="report.json"',
          etag: '"abc"',
          'x-internal': 'not for the browser',
        });
        res.end(req.method === 'HEAD' ? undefined : '{"ok": true}');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'artifact x does not exist' }] }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.FACTORLAB_API_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.FACTORLAB_API_KEY = 'flk_dashboard_secret';
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    for (const [name, value] of [
      ['FACTORLAB_API_URL', saved.url],
      ['FACTORLAB_API_KEY', saved.key],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each([
    { segments: [ID], path: `/artifacts/${ID}` },
    { segments: [ID, 'files'], path: `/artifacts/${ID}/files` },
    {
      segments: [ID, 'files', 'tokenizer', 'a b?.json'],
      path: `/artifacts/${ID}/files/tokenizer/a%20b%3F.json`,
    },
    { segments: ['x/../../graphql'], path: '/artifacts/x%2F..%2F..%2Fgraphql' },
  ])('relays $segments to $path', ({ segments, path }) => {
    expect(artifactApiPath(segments)).toBe(path);
  });

  it.each([[[]], [[ID, 'graphql']], [[ID, 'files', '..', '..', 'graphql']], [['..']], [[ID, '']]])(
    'refuses %j',
    (segments) => {
      expect(() => artifactApiPath(segments)).toThrow(/artifact/);
    },
  );

  it('streams the file with its headers, sending the key and the browser validator', async () => {
    const request = new Request(`http://dashboard/artifacts/${ID}`, {
      headers: { 'if-none-match': '"old"', cookie: 'a=b' },
    });
    const response = await relayArtifact(request, [ID]);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"ok": true}');
    expect(Object.fromEntries(response.headers)).toEqual({
      'content-type': 'application/json',
      'content-length': '12',
      'content-disposition': 'attachment; filename="report.json"',
      etag: '"abc"',
    });
    expect(seen.at(-1)).toEqual({
      url: `/artifacts/${ID}`,
      method: 'GET',
      authorization: 'Bearer flk_dashboard_secret',
      ifNoneMatch: '"old"',
    });
  });

  it("passes a refusal's status on with its message as text, and answers 400 for a bad path", async () => {
    const request = new Request('http://dashboard/artifacts/x');
    const refused = await relayArtifact(request, ['x']);
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await refused.text()).toBe('artifact x does not exist\n');
    const bad = await relayArtifact(request, [ID, 'files', '..']);
    expect(bad.status).toBe(400);
  });

  it('says which API it cannot reach', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    process.env.FACTORLAB_API_URL = closed;
    const response = await relayArtifact(new Request('http://dashboard/artifacts/x'), [ID]);
    expect(response.status).toBe(502);
    expect(await response.text()).toBe(
      `Cannot reach the FactorLab API at ${closed}: is the lab running? start it with \`npm start\`\n`,
    );
  });
});
