'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { liveFeedHref, liveFeedKey, type LiveFeed } from '../../lib/live-feed.ts';

/** Refreshes no closer together than this, however fast changes come (a busy lab: progress). */
const MIN_REFRESH_GAP_MS = 1000;
/** While the subscription is down, the page refreshes itself this often. */
const FALLBACK_REFRESH_MS = 2000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

type LiveState = 'connecting' | 'live' | 'paused';

interface LiveUpdatesProps {
  /** Follow while true (a finished run has nothing more to show). */
  active: boolean;
  /**
   * What to follow: one run's status and curves, a set of runs' or a sweep's runs' status and
   * metrics, or the workers; every run's changes when absent.
   */
  feed?: LiveFeed;
}

/**
 * Re-renders the page's server components when the API's subscriptions say something changed.
 * Reconnects with exponential backoff; while the subscription is down the page says so and falls
 * back to refreshing every 2 s.
 */
export function LiveUpdates({ active, feed }: LiveUpdatesProps) {
  const router = useRouter();
  const [state, setState] = useState<LiveState>('connecting');
  const [failure, setFailure] = useState<string | null>(null);
  // The feed as last rendered (a run's newest step shown moves on with each refresh): read on
  // each (re)connect, so a refresh does not reopen the stream.
  const currentFeed = useRef(feed);
  currentFeed.current = feed;
  const feedKey = liveFeedKey(feed);

  useEffect(() => {
    if (!active) return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    let fallback: ReturnType<typeof setInterval> | undefined;
    let attempts = 0;
    let lastRefresh = 0;
    let closed = false;
    let caughtUp = false;

    const refresh = () => {
      if (refreshTimer !== undefined) return;
      const wait = Math.max(0, lastRefresh + MIN_REFRESH_GAP_MS - Date.now());
      refreshTimer = setTimeout(() => {
        refreshTimer = undefined;
        lastRefresh = Date.now();
        router.refresh();
      }, wait);
    };
    const pause = (message: string) => {
      source?.close();
      source = null;
      setState('paused');
      setFailure(message);
      fallback ??= setInterval(() => router.refresh(), FALLBACK_REFRESH_MS);
      clearTimeout(retryTimer);
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempts);
      attempts += 1;
      retryTimer = setTimeout(connect, delay * (0.75 + Math.random() * 0.5));
    };
    function connect(): void {
      if (closed) return;
      source = new EventSource(liveFeedHref(currentFeed.current));
      source.addEventListener('ready', () => {
        // Changes between the page's render and the subscription's start were not sent: the first
        // connection catches up with one refresh, as does one that follows a pause.
        const missed = fallback !== undefined || !caughtUp;
        caughtUp = true;
        clearInterval(fallback);
        fallback = undefined;
        attempts = 0;
        setState('live');
        setFailure(null);
        // Outside the throttle: a change right after it still shows at once.
        if (missed) router.refresh();
      });
      source.addEventListener('change', refresh);
      source.addEventListener('failure', (event) => {
        pause(failureMessage((event as MessageEvent<string>).data));
      });
      source.onerror = () => pause("the dashboard's live feed (/live) cannot be reached");
    }

    connect();
    return () => {
      closed = true;
      source?.close();
      clearTimeout(retryTimer);
      clearTimeout(refreshTimer);
      clearInterval(fallback);
    };
  }, [active, feedKey, router]);

  if (!active) return null;
  return (
    <p className="live-status" role="status" data-testid="live-status" data-state={state}>
      {state === 'paused' ? (
        <>
          <strong>live updates paused</strong>: {failure}. Refreshing every 2 s and reconnecting.
        </>
      ) : state === 'live' ? (
        'live'
      ) : (
        'connecting…'
      )}
    </p>
  );
}

function failureMessage(data: string): string {
  try {
    const parsed: unknown = JSON.parse(data);
    if (parsed instanceof Object && 'message' in parsed) return String(parsed.message);
  } catch {
    // not JSON: shown as sent
  }
  return data;
}
