/**
 * `npm run reports -- --period 2026-Q3 --out reports/ [--unit khanh-hoa]`: writes the reform
 * office's report pack of a unit subtree and a fixed period (issue #10 §4; api/reports/pack.ts):
 * `gopy-<unit>-<period>.xlsx` and `gopy-<unit>-<period>-csv.zip`. Uses the database of DATABASE_URL
 * (migrated and filled from content/ first, as on start) and reads every table through the API
 * in-process, so the pack holds exactly the published figures. The same data give the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../api/env.ts';
import { prepareDatabase } from '../api/server.ts';
import { createApp } from '../api/app.ts';
import { buildPack, packInputs } from '../api/reports/pack.ts';
import type { Output } from './cli.ts';

const USAGE = 'usage: npm run reports -- --period <YYYY | YYYY-Qn | YYYY-MM> --out <dir> [--unit <unit-id>]\n';

/** Runs the command; returns the exit code (tests call it in-process). */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<number> {
  let values: { period?: string | undefined; out?: string | undefined; unit?: string | undefined };
  try {
    values = parseArgs({
      args: argv,
      options: { period: { type: 'string' }, out: { type: 'string' }, unit: { type: 'string', default: 'khanh-hoa' } },
    }).values;
  } catch {
    err.write(USAGE);
    return 2;
  }
  if (!values.period || !values.out) {
    err.write(USAGE);
    return 2;
  }
  const config: Config = loadConfig(env);
  const { db } = await prepareDatabase(config);
  try {
    const app = createApp({
      db,
      config: { ...config, LOG_LEVEL: 'error' },
      log: (line) => err.write(`${line}\n`),
      now: () => new Date(),
    });
    const failures: string[] = [];
    const api = async (path: string) => {
      const res = await app.request(path);
      const body: unknown = await res.json();
      if (res.status !== 200) failures.push(`${path}: ${res.status} ${(body as { code?: string }).code ?? ''}`);
      return body;
    };
    const unit = values.unit ?? 'khanh-hoa';
    const inputs = await packInputs(api, unit, values.period);
    if (failures.length > 0) {
      err.write(`nothing written:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
      return 1;
    }
    const pack = await buildPack(inputs);
    mkdirSync(values.out, { recursive: true });
    const base = join(values.out, `gopy-${unit}-${values.period}`);
    writeFileSync(`${base}.xlsx`, pack.xlsx);
    writeFileSync(`${base}-csv.zip`, pack.zip);
    out.write(`${base}.xlsx (${pack.xlsx.length} bytes)\n${base}-csv.zip (${pack.zip.length} bytes)\n`);
    return 0;
  } finally {
    db.close();
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
