import DataLoader from 'dataloader';
import type { Db } from '../db/client.ts';
import { latestMetricsByRun } from './runs/runs.service.ts';
import type { MetricValue } from './runs/run.type.ts';

/** What every resolver gets: the database and this request's DataLoaders. */
export interface ApiContext {
  db: Db;
  latestMetrics: DataLoader<string, MetricValue[]>;
}

export function createContext(db: Db): ApiContext {
  return {
    db,
    latestMetrics: new DataLoader((runIds) => latestMetricsByRun(db, runIds)),
  };
}
