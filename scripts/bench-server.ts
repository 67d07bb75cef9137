/**
 * The real portal as a child process for `npm run bench` (scripts/bench.ts) and the crash harness
 * (scripts/crash-harness.ts), so its RSS is its own and it can be killed with SIGKILL. Configured
 * only by the environment (api/env.ts) the parent passes: a temp DATABASE_URL, PORT=0, and for the
 * load tests POW_REQUIRED=0 and a very high RATE_LIMIT_MAX. With `--site` it also serves the built
 * site in SITE_DIR (as `npm start` does, without building it). When listening it prints one line:
 *   {"ready":true,"url":"http://127.0.0.1:41234/","pid":1234}
 */
import { loadConfig } from '../api/env.ts';
import { startServer } from '../api/server.ts';
import { loadAstroHandler } from '../api/ssr.ts';
import { readBuildInfo } from './site-build.ts';
import { startSmsWorker } from '../api/sms/worker.ts';

const config = loadConfig(process.env);
const withSite = process.argv.includes('--site');
const info = withSite ? readBuildInfo(config.SITE_DIR) : undefined;
if (withSite && !info) {
  console.error(`no built site in ${config.SITE_DIR} (npm run build)`);
  process.exit(1);
}
const running = await startServer(
  config,
  info
    ? {
        dir: config.SITE_DIR,
        inlineScriptHashes: info.inlineScriptHashes,
        ssr: await loadAstroHandler(config.SITE_DIR),
      }
    : undefined,
  (line) => process.stderr.write(`${line}\n`),
);
// With a gateway (the crash harness starts one), text messages leave as from `npm start`.
const sms = config.SMPP_URL
  ? startSmsWorker(
      { db: running.db, config, now: () => new Date(), log: (line) => process.stderr.write(`${line}\n`) },
      { intervalMs: 200 },
    )
  : undefined;
process.stdout.write(`${JSON.stringify({ ready: true, url: running.url, pid: process.pid })}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    (sms ? sms.stop() : Promise.resolve())
      .then(() => running.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
