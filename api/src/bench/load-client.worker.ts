import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/** What the benchmark asks of one load: `connections` clients posting `body` for `seconds`. */
export interface LoadRequest {
  url: string;
  body: string;
  connections: number;
  seconds: number;
}

/** What comes back: every answer's latency (ms), the rate, and the errors of every kind. */
export interface LoadResult {
  timings: number[];
  requestsPerSecond: number;
  /** Connection errors and timeouts, non-2xx answers, and answers carrying GraphQL errors. */
  errors: number;
}

/**
 * Runs one autocannon load in this worker thread, so the load generator's own work (writing,
 * parsing and timing thousands of answers) does not run on the API's event loop when the API
 * under test is in the benchmark's process.
 */
async function run({ url, body, connections, seconds }: LoadRequest): Promise<LoadResult> {
  const timings: number[] = [];
  let graphqlErrors = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            onResponse: (_status, answer) => {
              if (answer.includes('"errors"')) graphqlErrors++;
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => timings.push(responseTime));
  });
  return {
    timings,
    requestsPerSecond: timings.length / seconds,
    errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
  };
}

parentPort?.postMessage(await run(workerData as LoadRequest));
