import { artifactDownloadHref } from '../../lib/artifact-download.ts';
import { formatBytes } from '../../lib/format.ts';
import type { RunArtifact } from '../../lib/runs.ts';

/** "the checkpoint at step 4": how a download link names its artifact to a screen reader. */
function artifactLabel(artifact: RunArtifact): string {
  const kind = artifact.kind.toLowerCase();
  return artifact.step === null || artifact.step === undefined
    ? `the ${kind}`
    : `the ${kind} at step ${artifact.step}`;
}

/**
 * The files a run produced, where its worker wrote them, with size and digest, and a link that
 * downloads each through the dashboard's server (a folder as one .tar).
 */
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
              <th>
                <span className="visually-hidden">Download</span>
              </th>
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
                <td>
                  <a
                    href={artifactDownloadHref(artifact.id)}
                    aria-label={`Download ${artifactLabel(artifact)}`}
                    title="A file as it is, a folder as one .tar"
                    data-testid="artifact-download"
                  >
                    Download
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
