import type { Db } from '../db/client.ts';
import type { Config } from './env.ts';

export interface Deps {
  db: Db;
  config: Config;
  /** Writes one log line; never given personal data. */
  log: (line: string) => void;
  now: () => Date;
}

export interface AppEnv {
  Variables: { deps: Deps; requestId: string };
}
