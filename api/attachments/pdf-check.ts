/**
 * Runs pdf.ts in a worker thread with a heap cap and a deadline: parsing a hostile 10 MB PDF is
 * CPU and memory the request handler must not spend on the server's own thread (issue #7 part 5).
 * A worker that runs out of heap, crashes or overruns is a refusal (attachment_unreadable).
 */
import { Worker } from 'node:worker_threads';
import type { PdfCheck } from './pdf.ts';

const WORKER = new URL('./pdf-worker.ts', import.meta.url);
// pdf-lib holds a parsed 10 MB file in well under this; a bomb that gets past the inflate budget
// ends the worker, not the process.
const HEAP_MB = 256;
const DEADLINE_MS = 20_000;

export function checkPdfIsolated(bytes: Uint8Array): Promise<PdfCheck> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: PdfCheck) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
      void worker.terminate();
    };
    const worker = new Worker(WORKER, {
      workerData: bytes,
      resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 32 },
      stdout: true,
      stderr: true,
    });
    const timer = setTimeout(() => done({ ok: false, code: 'attachment_unreadable' }), DEADLINE_MS);
    worker.once('message', (r: PdfCheck) => done(r));
    worker.once('error', () => done({ ok: false, code: 'attachment_unreadable' }));
    worker.once('exit', () => done({ ok: false, code: 'attachment_unreadable' }));
  });
}
