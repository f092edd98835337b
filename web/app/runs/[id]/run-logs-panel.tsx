'use client';

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { appendLogLines, runLogFeedHref, type LogLine } from '../../../lib/run-logs.ts';
import styles from './run-logs.module.css';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

type FeedState = 'connecting' | 'live' | 'paused';

interface RunLogsPanelProps {
  runId: string;
  /** The newest lines as the server rendered them; a refresh of the page passes newer ones. */
  initialLines: LogLine[];
  /** Stream new lines while true. */
  active: boolean;
  /** How many of the newest lines to keep on screen. */
  keep: number;
}

/**
 * A run's log lines, appended as the worker writes them: streamed from the dashboard's relay of
 * the API's logsAppended subscription (resuming after the last line shown on every reconnect),
 * kept scrolled to the newest line unless the reader scrolled up.
 */
export function RunLogsPanel({ runId, initialLines, active, keep }: RunLogsPanelProps) {
  const [lines, setLines] = useState(initialLines);
  const [state, setState] = useState<FeedState>('connecting');
  const lastSeq = useRef(initialLines.at(-1)?.seq ?? 0);
  lastSeq.current = lines.at(-1)?.seq ?? 0;
  const box = useRef<HTMLDivElement>(null);
  const followBottom = useRef(true);

  useEffect(() => {
    setLines((shown) => appendLogLines(shown, initialLines, keep));
  }, [initialLines, keep]);

  useLayoutEffect(() => {
    if (followBottom.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  useEffect(() => {
    if (!active) return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let closed = false;
    const pause = () => {
      source?.close();
      source = null;
      setState('paused');
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempts);
      attempts += 1;
      retryTimer = setTimeout(connect, delay * (0.75 + Math.random() * 0.5));
    };
    function connect(): void {
      if (closed) return;
      source = new EventSource(runLogFeedHref(runId, lastSeq.current));
      source.addEventListener('ready', () => {
        attempts = 0;
        setState('live');
      });
      source.addEventListener('lines', (event) => {
        const batch = JSON.parse((event as MessageEvent<string>).data) as { lines: LogLine[] };
        setLines((shown) => appendLogLines(shown, batch.lines, keep));
      });
      source.addEventListener('failure', pause);
      source.onerror = pause;
    }
    connect();
    return () => {
      closed = true;
      source?.close();
      clearTimeout(retryTimer);
    };
  }, [active, runId, keep]);

  return (
    <>
      <div
        ref={box}
        className={`code ${styles.log}`}
        role="log"
        aria-label="Run log"
        data-testid="run-logs"
        onScroll={(event) => {
          const el = event.currentTarget;
          followBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
        }}
      >
        {lines.length === 0 ? (
          <span className="muted">No log lines yet.</span>
        ) : (
          lines.map((line) => (
            <div
              key={line.seq}
              className={styles.line}
              data-level={line.level}
              data-seq={line.seq}
              data-testid="run-log-line"
            >
              <time className={styles.time} dateTime={line.loggedAt} title={line.loggedAt}>
                {line.loggedAt.slice(11, 23)}
              </time>{' '}
              <span className={styles.level}>{line.level}</span> {line.message}
            </div>
          ))
        )}
      </div>
      {active && (
        <p className="live-status" data-testid="run-logs-status" data-state={state}>
          {state === 'paused'
            ? 'log stream paused: reconnecting'
            : state === 'live'
              ? 'streaming'
              : 'connecting…'}
        </p>
      )}
    </>
  );
}
