import path from 'node:path';

/**
 * Refuses a queued config whose `model` is a relative path: a worker resolves it in its own
 * working folder, often on another machine, so it fails there long after queueing. The message
 * names the absolute path the user probably meant.
 */
export function refuseRelativeModelPath(config: Record<string, unknown>): void {
  const model = config.model;
  if (typeof model !== 'string' || model === '' || path.isAbsolute(model)) return;
  throw new Error(
    `config.model: "${model}" is a relative path, which the worker would resolve in its own ` +
      `folder: give the checkpoint folder's absolute path as the worker sees it, ` +
      `e.g. --set model=${path.resolve(model)}`,
  );
}
