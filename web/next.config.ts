import path from 'node:path';
import type { NextConfig } from 'next';

// The image's dashboard (Dockerfile) is Next.js's standalone server: the build traces the files it
// needs from the whole repository (the workspaces hoist packages to its node_modules).
const standalone = process.env.FACTORLAB_WEB_STANDALONE === '1';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  ...(standalone
    ? { output: 'standalone', outputFileTracingRoot: path.join(import.meta.dirname, '..') }
    : {}),
};

export default nextConfig;
