'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

/** `g` then one of these keys opens a section, as in many web apps (GitHub, Gmail). */
const SECTION_KEYS: Record<string, { href: string; label: string }> = {
  r: { href: '/', label: 'Runs' },
  e: { href: '/experiments', label: 'Experiments' },
  l: { href: '/leaderboard', label: 'Leaderboard' },
  c: { href: '/compare', label: 'Compare' },
  q: { href: '/queue', label: 'Queue' },
  m: { href: '/models', label: 'Models' },
  w: { href: '/workers', label: 'Workers' },
};

/** How long after `g` the section key may follow. */
const SEQUENCE_MS = 1500;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/** The page's first filter field: the runs and leaderboard filters, or any marked search field. */
function firstFilterField(): HTMLInputElement | null {
  return document.querySelector<HTMLInputElement>(
    '[data-shortcut="search"], form.filters input:not([type="hidden"]):not([type="checkbox"])',
  );
}

/**
 * Keys that work on every page, unless a field has focus: `/` jumps to the filters, `g` then a
 * section's letter opens that section, `?` shows or hides this list, Escape hides it.
 */
export function KeyboardShortcuts() {
  const router = useRouter();
  const [helpOpen, setHelpOpen] = useState(false);

  useEffect(() => {
    let awaitingSection = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'Escape') {
        setHelpOpen(false);
        return;
      }
      if (isTyping(event.target)) return;
      const section = SECTION_KEYS[event.key];
      if (Date.now() < awaitingSection && section) {
        awaitingSection = 0;
        event.preventDefault();
        router.push(section.href);
      } else if (event.key === 'g') {
        awaitingSection = Date.now() + SEQUENCE_MS;
      } else if (event.key === '/') {
        const field = firstFilterField();
        if (field === null) return;
        event.preventDefault();
        field.focus();
        field.select();
      } else if (event.key === '?') {
        setHelpOpen((open) => !open);
      }
    };
    document.addEventListener('keydown', onKeyDown);
    // Says the keys work now (after hydration), for browser tests that must not press them sooner.
    document.documentElement.dataset.shortcuts = 'on';
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      delete document.documentElement.dataset.shortcuts;
    };
  }, [router]);

  if (!helpOpen) return null;
  return (
    <section
      className="panel shortcuts-help"
      role="dialog"
      aria-label="Keyboard shortcuts"
      data-testid="shortcuts-help"
    >
      <h2>Keyboard shortcuts</h2>
      <dl className="facts">
        <dt>
          <kbd>/</kbd>
        </dt>
        <dd>Filter this page</dd>
        {Object.entries(SECTION_KEYS).map(([key, section]) => (
          <Shortcut key={key} keys={['g', key]} label={`Go to ${section.label}`} />
        ))}
        <dt>
          <kbd>?</kbd>
        </dt>
        <dd>Show or hide this list (Escape hides it)</dd>
      </dl>
    </section>
  );
}

function Shortcut({ keys, label }: { keys: string[]; label: string }) {
  return (
    <>
      <dt>
        {keys.map((key, i) => (
          <span key={key}>
            {i > 0 && ' then '}
            <kbd>{key}</kbd>
          </span>
        ))}
      </dt>
      <dd>{label}</dd>
    </>
  );
}
