/**
 * Group commit: write batches that arrive while another commit is in flight are joined into one
 * transaction, so many ratings share one fsync (issue #3 performance target: durable submits/s at
 * least the raw single-row durable insert rate). Each caller's promise settles only after the
 * transaction holding its statements committed, so an acknowledged answer is on disk. If a joined
 * transaction fails (one submission breaks a constraint), each batch is retried alone so only the
 * faulty one fails, with its own error.
 */
import type { Client, InStatement, ResultSet } from '@libsql/client';
import { storageFault } from './storage-error.ts';

interface Pending {
  statements: InStatement[];
  resolve: (results: ResultSet[]) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitter {
  /** Runs `statements` atomically, possibly in one transaction with other callers' batches. */
  write(statements: InStatement[]): Promise<ResultSet[]>;
}

/**
 * @example
 *   const committer = groupCommitter(db.client);
 *   await committer.write([{ sql: 'INSERT …', args: [...] }]);
 */
export function groupCommitter(client: Client, maxStatements = 5_000): GroupCommitter {
  const queue: Pending[] = [];
  let running = false;

  async function runAlone(p: Pending): Promise<void> {
    try {
      p.resolve(await client.batch(p.statements, 'write'));
    } catch (err) {
      p.reject(err);
    }
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        // Take as many waiting batches as fit; the rest go in the next transaction.
        const group: Pending[] = [];
        let size = 0;
        while (queue.length > 0 && (group.length === 0 || size + queue[0]!.statements.length <= maxStatements)) {
          const next = queue.shift()!;
          group.push(next);
          size += next.statements.length;
        }
        if (group.length === 1) {
          await runAlone(group[0]!);
          continue;
        }
        try {
          const results = await client.batch(
            group.flatMap((p) => p.statements),
            'write',
          );
          let offset = 0;
          for (const p of group) {
            p.resolve(results.slice(offset, offset + p.statements.length));
            offset += p.statements.length;
          }
        } catch (err) {
          // Nothing of the joined transaction was committed. A full disk or a held lock is no one
          // batch's fault: all of them are refused (503, sent again later) rather than each retried
          // alone against the same fault (issue #9). Otherwise retry each alone to find the culprit.
          if (storageFault(err)) for (const p of group) p.reject(err);
          else for (const p of group) await runAlone(p);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    write(statements) {
      return new Promise<ResultSet[]>((resolve, reject) => {
        queue.push({ statements, resolve, reject });
        // libSQL's local calls block the event loop, so batches only pile up between turns: start
        // the commit on the next turn, after the requests already read in this one have queued.
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}

const committers = new WeakMap<Client, GroupCommitter>();

/** The process-wide committer of a client (one writer per database connection). */
export function committerFor(client: Client): GroupCommitter {
  let c = committers.get(client);
  if (!c) {
    c = groupCommitter(client);
    committers.set(client, c);
  }
  return c;
}
