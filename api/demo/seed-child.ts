/**
 * The demo data of a first start, in its own process (see seedDemoData in ./generate.ts): reads
 * DATABASE_URL and CONTENT_DIR like the server, fills the database for the two years up to the
 * date given as its argument, prints one line of counts and exits.
 */
import { openDb } from '../../db/client.ts';
import { loadContent } from '../contracts/load-content.ts';
import { loadConfig } from '../env.ts';
import { DEMO_SEED, demoRange, formatDemoCounts, generateDemoData } from './generate.ts';

const config = loadConfig(process.env);
const today = new Date(process.argv[2] ?? Date.now());
const db = await openDb({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
try {
  const counts = await generateDemoData(db, loadContent(config.CONTENT_DIR), {
    seed: DEMO_SEED,
    ...demoRange(today),
    contentDir: config.CONTENT_DIR,
  });
  process.stdout.write(`${formatDemoCounts(counts)}\n`);
} finally {
  db.close();
}
