/**
 * Worker of pdf-check.ts: PDFs in, one PdfCheck out per message. The worker is retired after a few
 * files, so whatever pdf-lib keeps (it interns every name it meets, for ever) goes with it.
 */
import { parentPort } from 'node:worker_threads';
import { inspectPdf } from './pdf.ts';

// pdf-lib warns on the console about odd objects in hostile files: not for the server's log.
console.log = console.warn = () => {};

parentPort!.on('message', (bytes: Uint8Array) => {
  void inspectPdf(bytes).then((result) => parentPort!.postMessage(result));
});
