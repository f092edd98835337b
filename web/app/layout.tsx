import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { KeyboardShortcuts } from './_components/keyboard-shortcuts.tsx';
import { SiteNav } from './_components/site-nav.tsx';
import { SkipLink } from './_components/skip-link.tsx';
import { ThemeChoice } from './_components/theme-choice.tsx';
import { THEME_INIT_SCRIPT } from '../lib/theme.ts';
import './globals.css';

export const metadata: Metadata = {
  title: 'FactorLab',
  description: 'Runs and results of the FactorLab lab.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets data-theme on <html> before React hydrates it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
      </head>
      <body>
        <SkipLink target="content" />
        <header className="site-header">
          <Link href="/" className="brand">
            FactorLab
          </Link>
          <SiteNav />
          <ThemeChoice />
        </header>
        <KeyboardShortcuts />
        <main className="content" id="content" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
