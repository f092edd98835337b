'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { MAX_RUN_TEXT_LENGTH, runsHref, type RunsQuery } from '../../lib/runs-query.ts';

/** How long typing must pause before the list follows it. */
const DEBOUNCE_MS = 300;

/**
 * The runs filter's text box (`q`): the list narrows as one types, once typing pauses, the URL
 * following (replaced, so Back does not step through keystrokes) with the other filters and the
 * sort kept and the pages starting over. `/` focuses it (data-shortcut), Escape empties it, and
 * Enter sends the whole form, as it does without JavaScript.
 */
export function RunsTextFilter({ query }: { query: RunsQuery }) {
  const router = useRouter();
  const [value, setValue] = useState(query.text ?? '');
  // The text this box last put in the URL, and the URL's text last rendered: when the URL changes
  // otherwise (Clear filters, Back), the box shows the URL's text.
  const [asked, setAsked] = useState(query.text);
  const [seen, setSeen] = useState(query.text);
  if (query.text !== seen) {
    setSeen(query.text);
    if (query.text !== asked) {
      setAsked(query.text);
      setValue(query.text ?? '');
    }
  }

  const text = value.trim() || null;
  // A string, so the page's live refreshes (a new `query` each time) do not restart the wait.
  const target = text === query.text ? null : runsHref(query, { text });
  useEffect(() => {
    if (target === null) return;
    const timer = setTimeout(() => {
      setAsked(text);
      router.replace(target, { scroll: false });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [target, text, router]);

  return (
    <>
      <label>
        Search
        <input
          type="search"
          name="q"
          value={value}
          onChange={(event) => setValue(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && value !== '') {
              event.preventDefault();
              setValue('');
            }
          }}
          maxLength={MAX_RUN_TEXT_LENGTH}
          placeholder="id, name, tag, config…"
          aria-describedby="runs-text-hint"
          data-shortcut="search"
          data-testid="runs-text"
        />
      </label>
      <span id="runs-text-hint" className="visually-hidden">
        Runs whose id starts with this, or whose kind, tags, name, sweep, error or config contain
        it; the list follows as you type.
      </span>
    </>
  );
}
