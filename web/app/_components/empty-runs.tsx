/** What to do when the lab has no runs yet: queue a self-test from the CLI or over GraphQL. */
export function EmptyRuns({ apiUrl }: { apiUrl: string }) {
  const mutation =
    'mutation { queueExperiment(input: {kind: \\"selftest\\", config: {size: 256}}) { run { id } } }';
  const curl = `curl -s ${apiUrl}/graphql -H 'content-type: application/json' \\\n  -d '{"query": "${mutation}"}'`;
  return (
    <section className="panel" data-testid="runs-empty">
      <h2>No runs yet</h2>
      <p>Queue a GPU self-test to check the lab end to end:</p>
      <pre className="code">npx lab queue selftest</pre>
      <p>or over GraphQL:</p>
      <pre className="code">{curl}</pre>
      <p className="muted">It appears here as soon as it is queued.</p>
    </section>
  );
}
