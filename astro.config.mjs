// @ts-check
import { defineConfig } from 'astro/config';
import preact from '@astrojs/preact';
import node from '@astrojs/node';

export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  // Pages are prerendered; the few that depend on the request (the rating form a QR code opens,
  // statistics, tracking) set `prerender = false` and are rendered by the API process, which mounts
  // this adapter's handler (api/ssr.ts).
  output: 'static',
  adapter: node({ mode: 'middleware' }),
  trailingSlash: 'always',
  integrations: [preact()],
  build: {
    format: 'directory',
    // External stylesheets only: the CSP has no 'unsafe-inline' for styles.
    inlineStylesheets: 'never',
  },
  // Content pages ship no JavaScript: no prefetch script, no view transitions, no dev toolbar.
  prefetch: false,
  devToolbar: { enabled: false },
  compressHTML: true,
});
