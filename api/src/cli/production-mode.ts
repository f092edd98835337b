/**
 * `NODE_ENV=production` for a process that serves the API (`lab api`, `lab start`, and the
 * platform benchmarks, which start the API in-process), unless the user set NODE_ENV. graphql-js
 * then skips its development checks (about 10% of a cached leaderboard request's CPU). The API
 * does not depend on the mode otherwise: stack traces, introspection and the landing page are set
 * explicitly in `startApiServer`.
 *
 * graphql-js reads NODE_ENV once, when it loads: call this before anything imports it. The `lab`
 * program's own modules do not (test/production-mode.test.ts checks it); each command loads the
 * modules it runs when it runs. Child processes (the worker, the dashboard) inherit the setting.
 * Returns whether it set NODE_ENV.
 */
export function useProductionMode(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NODE_ENV) return false;
  env.NODE_ENV = 'production';
  return true;
}
