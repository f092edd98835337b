import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { KeyboardShortcuts } from './_components/keyboard-shortcuts.tsx';
import { SiteNav } from './_components/site-nav.tsx';
import { SkipLink } from './_components/skip-link.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: 'FactorLab',
  description: 'Runs and results of the FactorLab lab.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SkipLink target="content" />
        <header className="site-header">
          <Link href="/" className="brand">
            FactorLab
          </Link>
          <SiteNav />
        </header>
        <KeyboardShortcuts />
        <main className="content" id="content" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
