'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type ReactNode } from 'react';
import { compareHref } from '../../lib/compare-href.ts';

/** The API compares 2 to 50 runs. */
const MIN_RUNS = 2;
const MAX_RUNS = 50;

function checkedRuns(form: HTMLFormElement): string[] {
  return new FormData(form).getAll('runs').filter((value) => typeof value === 'string');
}

/**
 * Wraps a table whose rows carry `runs` checkboxes; opens the compare page for the checked runs.
 * A plain GET form underneath, so it still submits (`?runs=a&runs=b`) before hydration.
 */
export function CompareForm({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [selected, setSelected] = useState<string[]>([]);
  const [refused, setRefused] = useState(false);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const runs = checkedRuns(event.currentTarget);
    const canCompare = runs.length >= MIN_RUNS && runs.length <= MAX_RUNS;
    setRefused(!canCompare);
    if (canCompare) router.push(compareHref(runs));
  };

  return (
    <form
      action="/compare"
      method="get"
      onChange={(event) => {
        setSelected(checkedRuns(event.currentTarget));
        setRefused(false);
      }}
      onSubmit={submit}
    >
      <div className="compare-bar">
        <button type="submit" data-testid="compare-selected">
          Compare selected
        </button>
        <span
          className={refused ? 'form-error' : 'muted'}
          data-testid="compare-count"
          role="status"
        >
          {selected.length === 0 || refused
            ? `Tick ${MIN_RUNS} to ${MAX_RUNS} rows to compare them.`
            : `${selected.length} selected`}
        </span>
      </div>
      {children}
    </form>
  );
}
