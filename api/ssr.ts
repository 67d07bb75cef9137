/**
 * Mounts the pages Astro renders on request (built by @astrojs/node in middleware mode into
 * dist/server/entry.mjs). Static pages are served from dist/client before this runs.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SsrLocals } from './contracts/ssr.ts';

export type AstroHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
  locals: SsrLocals,
) => Promise<void>;

export async function loadAstroHandler(siteDir: string): Promise<AstroHandler | undefined> {
  const entry = resolve(join(siteDir, 'server', 'entry.mjs'));
  if (!existsSync(entry)) return undefined;
  const mod = (await import(pathToFileURL(entry).href)) as { handler: AstroHandler };
  return mod.handler;
}
