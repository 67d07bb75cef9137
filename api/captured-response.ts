/**
 * A stand-in for Node's ServerResponse that Astro's node handler writes a page into, in memory, so
 * the page becomes a web `Response` the public cache can keep (api/middleware/public-cache.ts).
 * Astro (astro/app/node `writeResponse`) calls writeHead, write and end, listens for close/finish,
 * and on a rendering error sets statusCode and ends; that is all this implements.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export class CapturedResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  readonly req: IncomingMessage;
  private readonly headers = new Map<string, number | string | string[]>();
  private readonly chunks: Uint8Array[] = [];

  constructor(req: IncomingMessage) {
    super();
    this.req = req;
  }

  /** The shape Astro's handler is typed with; only the members above are used. */
  asServerResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.headers.set(name.toLowerCase(), typeof value === 'object' ? [...value] : value);
    return this;
  }
  getHeader(name: string): number | string | string[] | undefined {
    return this.headers.get(name.toLowerCase());
  }
  hasHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }
  removeHeader(name: string): void {
    this.headers.delete(name.toLowerCase());
  }

  writeHead(status: number, ...rest: unknown[]): this {
    this.statusCode = status;
    for (const arg of rest) {
      if (typeof arg === 'string') this.statusMessage = arg;
      else if (arg && typeof arg === 'object' && !Array.isArray(arg))
        for (const [name, value] of Object.entries(arg as OutgoingHttpHeaders))
          if (value !== undefined) this.setHeader(name, value);
    }
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Uint8Array): boolean {
    this.headersSent = true;
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return true;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk !== undefined && typeof chunk !== 'function') this.write(chunk);
    this.headersSent = true;
    this.writableEnded = true;
    this.emit('finish');
    this.emit('close');
    return this;
  }

  destroy(): this {
    this.writableEnded = true;
    this.emit('close');
    return this;
  }

  toResponse(): Response {
    const headers = new Headers();
    for (const [name, value] of this.headers)
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, String(value));
    const body = Buffer.concat(this.chunks);
    const empty = this.statusCode === 204 || this.statusCode === 304 || this.req.method === 'HEAD';
    return new Response(empty ? null : body, { status: this.statusCode, headers });
  }
}
