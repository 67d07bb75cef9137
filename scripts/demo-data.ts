/**
 * `npm run demo [-- --seed 1 --to 2026-11-21]`: generates the demo data (api/demo/generate.ts) into
 * the database of DATABASE_URL, which must have no responses yet (a fresh file, or one emptied by
 * hand). `npm start` does the same on its own when the database is empty and DEMO_DATA=1; this
 * script is for another seed or reference date, or a database created with DEMO_DATA=0.
 *
 *   DATABASE_URL=file:/tmp/demo.db npm run demo -- --seed 3
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../api/env.ts';
import { prepareDatabase } from '../api/server.ts';
import { loadContent } from '../api/contracts/load-content.ts';
import { demoRange, formatDemoCounts, generateDemoData, DEMO_SEED } from '../api/demo/generate.ts';
import { responseCount } from '../db/demo-data.ts';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, to: { type: 'string' }, years: { type: 'string' } },
});
const seed = values.seed === undefined ? DEMO_SEED : Number(values.seed);
const to = values.to === undefined ? new Date() : new Date(`${values.to}T12:00:00+07:00`);
const years = values.years === undefined ? 2 : Number(values.years);
if (!Number.isInteger(seed) || Number.isNaN(to.getTime()) || !(years > 0 && years <= 10)) {
  console.error('usage: node scripts/demo-data.ts [--seed <integer>] [--to YYYY-MM-DD] [--years 1..10]');
  process.exit(2);
}

// Migrations and content only (no demo data of the start): this script picks the seed and dates.
const config = loadConfig();
const { db } = await prepareDatabase(config);
try {
  const existing = await responseCount(db.client);
  if (existing > 0) {
    console.error(
      `${config.DATABASE_URL} already has ${existing} responses; demo data goes only into an empty database ` +
        '(set DATABASE_URL to a new file).',
    );
    process.exitCode = 1;
  } else {
    const content = loadContent(config.CONTENT_DIR);
    const counts = await generateDemoData(db, content, { seed, ...demoRange(to, years) });
    console.log(formatDemoCounts(counts));
  }
} finally {
  db.close();
}
