import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer.ts';
import type { PathRoots } from '../files/path-roots.ts';
import type { Db } from '../db/client.ts';
import type { ChangeFeed } from '../events/change-feed.ts';
import type { Artifact } from './artifacts/artifact.type.ts';
import { artifactsByRun } from './artifacts/artifacts.service.ts';
import type { Benchmark } from './benchmarks/benchmark.type.ts';
import { benchmarksByRun } from './benchmarks/benchmarks.service.ts';
import type { Model } from './models/model.type.ts';
import { toModel } from './models/models.service.ts';
import { latestMetricsByRun } from './runs/runs.service.ts';
import type { MetricValue } from './runs/run.type.ts';

/** What every resolver gets: the database, the caller and this request's DataLoaders. */
export interface ApiContext {
  db: Db;
  viewer: Viewer;
  /** Postgres notifications of run and metric changes, for subscriptions. */
  changes: ChangeFeed;
  latestMetrics: DataLoader<string, MetricValue[]>;
  /** A run's benchmark rows, newest first. */
  benchmarks: DataLoader<string, Benchmark[]>;
  artifacts: DataLoader<string, Artifact[]>;
  models: DataLoader<string, Model | null>;
  /** The caller identified afresh (their key may have been revoked since), for subscriptions. */
  reidentify: () => Promise<Viewer>;
  /** Where models and datasets may be read from, and how large they may be. */
  paths: PathRoots;
  /** Aborts when the client goes away before its answer (HTTP request or WebSocket closed). */
  signal: AbortSignal;
}

export function createContext(
  db: Db,
  changes: ChangeFeed,
  viewer: Viewer,
  options: { paths: PathRoots; reidentify?: () => Promise<Viewer>; signal?: AbortSignal },
): ApiContext {
  return {
    db,
    viewer,
    signal: options.signal ?? new AbortController().signal,
    reidentify: options.reidentify ?? (() => Promise.resolve(viewer)),
    paths: options.paths,
    changes,
    latestMetrics: new DataLoader((runIds) => latestMetricsByRun(db, runIds)),
    benchmarks: new DataLoader((runIds) => benchmarksByRun(db, runIds)),
    artifacts: new DataLoader((runIds) => artifactsByRun(db, runIds)),
    models: new DataLoader(async (ids) => {
      const rows = await db.registeredModel.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, toModel(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
