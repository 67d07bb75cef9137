/**
 * The shape the project's command-line scripts share (npm run dossiers, npm run staff): one
 * sub-command per function, usage on stderr with exit code 2 for anything else, and streams and
 * environment passed in so tests run a command in-process.
 */
import { loadConfig, type Config } from '../api/env.ts';

export interface Output {
  write(s: string): unknown;
}

export type Command = (config: Config, args: string[], out: Output, err: Output) => Promise<number>;

/** A `main(argv, env, out, err)` that dispatches to `commands` and returns the exit code. */
export function commandLine(commands: Record<string, Command>, usage: string) {
  return async function main(
    argv: string[],
    env: Record<string, string | undefined> = process.env,
    out: Output = process.stdout,
    err: Output = process.stderr,
  ): Promise<number> {
    const [command, ...rest] = argv;
    const run = command === undefined ? undefined : commands[command];
    if (!run || !Object.hasOwn(commands, command!)) {
      err.write(usage);
      return 2;
    }
    return run(loadConfig(env), rest, out, err);
  };
}
