'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const SECTIONS = [
  { href: '/', label: 'Runs', matches: (path: string) => path === '/' || path.startsWith('/runs') },
  {
    href: '/experiments',
    label: 'Experiments',
    matches: (path: string) => path.startsWith('/experiments'),
  },
  {
    href: '/leaderboard',
    label: 'Leaderboard',
    matches: (path: string) => path === '/leaderboard',
  },
  { href: '/compare', label: 'Compare', matches: (path: string) => path === '/compare' },
  { href: '/queue', label: 'Queue', matches: (path: string) => path.startsWith('/queue') },
  { href: '/models', label: 'Models', matches: (path: string) => path.startsWith('/models') },
  { href: '/workers', label: 'Workers', matches: (path: string) => path.startsWith('/workers') },
] as const;

/**
 * The dashboard's sections, the current one marked for the eye and for screen readers. Not
 * prefetched: every section is rendered per request from live data, so a prefetch saved little and
 * made the server render six pages after each visit, while the user's first click waited behind
 * them.
 */
export function SiteNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="site-nav">
      {SECTIONS.map((section) => (
        <Link
          key={section.href}
          href={section.href}
          aria-current={section.matches(pathname) ? 'page' : undefined}
          prefetch={false}
        >
          {section.label}
        </Link>
      ))}
    </nav>
  );
}
