import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SiteNav } from './_components/site-nav.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: 'FactorLab',
  description: 'Runs and results of the FactorLab lab.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            FactorLab
          </Link>
          <SiteNav />
        </header>
        <main className="content">{children}</main>
      </body>
    </html>
  );
}
