/**
 * Accepts only the listed body media types; anything else is a 415 before the body is read.
 * Hono's form validator would otherwise take multipart bodies on routes that declare only
 * urlencoded forms.
 */
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../problem.ts';

export function onlyMediaTypes(types: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const essence = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (!essence || !types.includes(essence)) throw new ProblemError(415, 'unsupported_media_type');
    await next();
  };
}
