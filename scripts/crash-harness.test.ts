/**
 * The crash harness (issue #3 "No lost answers", issue #4 "Nothing lost") at a small size, so
 * `npm test` kills the real server with SIGKILL too: 300 ratings and 60 feedback cases, 3 kills.
 * The full run is `npm run test:crash` (5,000 ratings, 500 cases, 20 kills).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('crash harness', () => {
  it('loses and duplicates no acknowledged rating or feedback case across SIGKILLs', () => {
    const script = join(import.meta.dirname, 'crash-harness.ts');
    const run = spawnSync(
      process.execPath,
      [script, '--responses', '300', '--feedback', '60', '--kills', '3', '--seed', '11'],
      {
        encoding: 'utf8',
        // The harness also waits for the last SMS: up to its 20 s lease when a kill left a part in flight.
        timeout: 140_000,
      },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/SIGKILLs \/ restarts:\s+3 \/ 3/);
    expect(output).toMatch(/lost acknowledged:\s+0/);
    expect(output).toMatch(/duplicate keys:\s+0/);
    expect(output).toMatch(/rows \/ distinct keys:\s+300 \/ 300/);
    expect(output).toMatch(/feedback: lost \/ dup \/ partial: 0 \/ 0 \/ 0 \(60 cases stored\)/);
    expect(output).toMatch(
      /30 phone cases, 30 messages .*lost \/ twice \/ parts twice \/ incomplete: 0 \/ 0 \/ 0 \/ 0/,
    );
  }, 150_000);
});
