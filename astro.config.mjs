// @ts-check
import { defineConfig } from 'astro/config';
import preact from '@astrojs/preact';

export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  outDir: './dist',
  output: 'static',
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
