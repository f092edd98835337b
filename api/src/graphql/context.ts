import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer.ts';
import type { Db } from '../db/client.ts';
import type { ChangeFeed } from '../events/change-feed.ts';
import { latestMetricsByRun } from './runs/runs.service.ts';
import type { MetricValue } from './runs/run.type.ts';

/** What every resolver gets: the database, the caller and this request's DataLoaders. */
export interface ApiContext {
  db: Db;
  viewer: Viewer;
  /** Postgres notifications of run and metric changes, for subscriptions. */
  changes: ChangeFeed;
  latestMetrics: DataLoader<string, MetricValue[]>;
}

export function createContext(db: Db, changes: ChangeFeed, viewer: Viewer): ApiContext {
  return {
    db,
    viewer,
    changes,
    latestMetrics: new DataLoader((runIds) => latestMetricsByRun(db, runIds)),
  };
}
