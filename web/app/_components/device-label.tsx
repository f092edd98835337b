import { shortDeviceName, summarizeDevice } from '../../lib/runs.ts';

/**
 * The adapter a run computed on as a short label (`llvmpipe`, `NVIDIA H200`), tagged CPU for
 * software implementations such as lavapipe; the full description on hover and to screen readers.
 */
export function DeviceLabel({ device }: { device: unknown }) {
  const summary = summarizeDevice(device);
  if (summary === null) return <span className="muted">—</span>;
  return (
    <span className="device-label" title={summary.name} data-device={summary.name}>
      {shortDeviceName(summary.name)}
      {summary.isCpu && <span className="cpu-tag">CPU</span>}
    </span>
  );
}
