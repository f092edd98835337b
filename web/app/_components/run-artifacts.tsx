import { formatBytes } from '../../lib/format.ts';
import type { RunArtifact } from '../../lib/runs.ts';

/** The files a run produced, where its worker wrote them, with size and digest. */
export function RunArtifacts({ artifacts }: { artifacts: RunArtifact[] }) {
  return (
    <>
      <h2>Artifacts</h2>
      <div className="table-scroll">
        <table className="data-table compact-table" data-testid="run-artifacts">
          <thead>
            <tr>
              <th>Kind</th>
              <th className="numeric">Step</th>
              <th>Path (on the worker)</th>
              <th className="numeric">Size</th>
              <th>SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {artifacts.map((artifact) => (
              <tr key={artifact.id}>
                <td>{artifact.kind.toLowerCase()}</td>
                <td className="numeric">{artifact.step ?? '—'}</td>
                <td className="run-id">{artifact.path}</td>
                <td className="numeric">{formatBytes(artifact.bytes)}</td>
                <td className="run-id" title={artifact.sha256}>
                  {artifact.sha256.slice(0, 12)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
