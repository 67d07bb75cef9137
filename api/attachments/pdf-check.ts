/**
 * Runs pdf.ts in worker threads with a heap cap and a deadline: parsing a hostile 10 MB PDF is CPU
 * and memory the request handler must not spend on the server's own thread (issue #7 part 5;
 * docs/attachments.md). A worker that runs out of heap, crashes or overruns is a refusal
 * (attachment_unreadable) and is replaced.
 *
 * Workers are kept for a few files (starting one and loading pdf-lib costs more than most checks)
 * and then retired, so pdf-lib's ever-growing name table never outlives RECYCLE_AFTER files. Callers
 * run at most two checks at once (attachments.ts heavySlot), so at most two workers exist; idle
 * ones do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { PdfCheck } from './pdf.ts';

const WORKER = new URL('./pdf-worker.ts', import.meta.url);
// pdf-lib holds a parsed 10 MB file in well under this; a bomb that gets past the inflate budget
// ends the worker, not the process.
const HEAP_MB = 256;
const DEADLINE_MS = 20_000;
const RECYCLE_AFTER = 32;

interface Pooled {
  worker: Worker;
  used: number;
}
const idle: Pooled[] = [];

function spawn(): Pooled {
  const worker = new Worker(WORKER, {
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 32 },
  });
  worker.unref();
  return { worker, used: 0 };
}

const UNREADABLE: PdfCheck = { ok: false, code: 'attachment_unreadable' };

export function checkPdfIsolated(bytes: Uint8Array): Promise<PdfCheck> {
  const p = idle.pop() ?? spawn();
  const { worker } = p;
  return new Promise((resolve) => {
    const finish = (r: PdfCheck, reusable: boolean) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onFailure);
      worker.off('exit', onFailure);
      p.used++;
      if (reusable && p.used < RECYCLE_AFTER) idle.push(p);
      else void worker.terminate();
      resolve(r);
    };
    const onMessage = (r: PdfCheck) => finish(r, true);
    const onFailure = () => finish(UNREADABLE, false);
    const timer = setTimeout(onFailure, DEADLINE_MS);
    worker.on('message', onMessage);
    worker.on('error', onFailure);
    worker.on('exit', onFailure);
    worker.postMessage(bytes);
  });
}
