/**
 * Starts the embedded portal (docs/architecture.md §5): one Node process serving the built site and the API over
 * one libSQL database, created, migrated and filled on first start.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { openDb, type Db } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { syncContent } from '../db/content-sync.ts';
import { loadContent } from './contracts/load-content.ts';
import { syncInstruments } from './ratings/instruments.ts';
import { createApp, type SiteOptions } from './app.ts';
import { prebuildStatsBlocks } from './routes/stats.ts';
import { seedDemoData } from './demo/generate.ts';
import { backfillPublishedSearch, backfillRedacted } from './feedback/redacted-search.ts';
import { checkServerConfig, type Config } from './env.ts';
import { removePidFile, writePidFile } from '../db/backup.ts';

export interface Running {
  url: string;
  db: Db;
  server: ServerType;
  migration: number;
  stop(): Promise<void>;
}

/** Creates the folder of a local database file, so `file:data/gopy.db` works on a fresh clone. */
function ensureDbFolder(url: string): void {
  if (!url.startsWith('file:')) return;
  const path = url.slice('file:'.length).split('?')[0]!;
  if (path && path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
}

/** `demoData`: fill an empty database with demo data when DEMO_DATA is on (the server's start only;
 * scripts that merely need the schema, such as `npm run dossiers`, leave it off). */
export async function prepareDatabase(
  config: Config,
  options: { demoData?: boolean } = {},
): Promise<{ db: Db; migration: number }> {
  ensureDbFolder(config.DATABASE_URL);
  const db = await openDb({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
  const migration = await migrate(db.client);
  const content = loadContent(config.CONTENT_DIR);
  await syncContent(db.client, content.units, content.procedures);
  await syncInstruments(db.client, content.instruments);
  if (config.DEMO_DATA && options.demoData) await seedDemoData(db, content, config, new Date());
  // Cases from before migration 0008 (or written by the demo seed directly) get their redacted
  // search text, so publishers can search them (issue #7 part 4).
  await backfillRedacted(db.client);
  await backfillPublishedSearch(db.client);
  return { db, migration };
}

export async function startServer(
  config: Config,
  site: SiteOptions | undefined,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<Running> {
  checkServerConfig(config);
  const { db, migration } = await prepareDatabase(config, { demoData: true });
  const deps = { db, config, log, now: () => new Date() };
  const app = createApp(deps, site);
  // The statistics' protection blocks, built while the server already answers (issue #9): a view
  // before they are ready waits a few seconds at most (api/stats/blocks.ts).
  const prebuilt = performance.now();
  prebuildStatsBlocks(deps).then(
    () => {
      if (config.LOG_LEVEL === 'info')
        log(
          JSON.stringify({
            t: new Date().toISOString(),
            msg: 'stats blocks built',
            ms: Math.round(performance.now() - prebuilt),
          }),
        );
    },
    (err: unknown) => {
      // Not fatal: the first view of each year builds its block (and says so while it does).
      if (config.LOG_LEVEL !== 'silent')
        log(JSON.stringify({ t: new Date().toISOString(), msg: 'stats blocks not built', error: (err as Error).name }));
    },
  );
  const server = await new Promise<ServerType>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, () => resolveServer(s));
    s.once('error', reject);
  });
  // `npm run restore` refuses while this file names a live process (docs/operations.md).
  writePidFile(config.DATABASE_URL);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return {
    url: `http://${host}:${port}/`,
    db,
    server,
    migration,
    async stop() {
      await new Promise<void>((done) => {
        server.close(() => done());
        // Keep-alive sockets would hold close() open; end idle ones now.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      db.close();
      removePidFile(config.DATABASE_URL);
    },
  };
}
