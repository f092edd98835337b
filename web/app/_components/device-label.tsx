import { summarizeDevice } from '../../lib/runs.ts';

/** The adapter a run computed on, tagged CPU for software implementations such as lavapipe. */
export function DeviceLabel({ device }: { device: unknown }) {
  const summary = summarizeDevice(device);
  if (summary === null) return <span className="muted">—</span>;
  return (
    <span className="device-label">
      {summary.name}
      {summary.isCpu && <span className="cpu-tag">CPU</span>}
    </span>
  );
}
