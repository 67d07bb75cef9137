/** `npm run build`: always rebuilds the static site into dist/ (or SITE_DIR). */
import { loadConfig, publicBaseUrl } from '../api/env.ts';
import { buildSite } from './site-build.ts';

const config = loadConfig();
await buildSite({ root: process.cwd(), distDir: config.SITE_DIR, site: publicBaseUrl(config), force: true });
