/**
 * Worker entry of pdf-check.ts: one PDF in (workerData), one PdfCheck out. A worker per file, so
 * whatever pdf-lib keeps (it interns every name it meets, for ever) dies with the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { inspectPdf } from './pdf.ts';

const result = await inspectPdf(workerData as Uint8Array);
parentPort!.postMessage(result);
