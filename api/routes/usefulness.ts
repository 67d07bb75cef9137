/**
 * POST /api/v1/page-usefulness: "was this page useful?" (issue #2). The procedure page posts a plain
 * HTML form (content pages ship no JavaScript) and gets a 303 back to the page; scripts and islands
 * post JSON and get the counts.
 */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { usefulnessInput, usefulnessResult } from '../contracts/usefulness.ts';
import { procedureExists, recordUsefulness } from '../../db/usefulness.ts';
import { ProblemError } from '../problem.ts';
import { clientRateLimit } from '../open-submission.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { problemSchema } from '../openapi.ts';
import type { AppEnv } from '../app-env.ts';

const route = createRoute({
  method: 'post',
  path: '/page-usefulness',
  summary: 'Record whether a procedure page was useful',
  middleware: [onlyMediaTypes(['application/json', 'application/x-www-form-urlencoded'])] as const,
  request: {
    body: {
      // Not `required`: with two media types, a required body would run both validators on every
      // request. Each validator runs for its own content type; no content type at all is a 415.
      content: {
        'application/json': { schema: usefulnessInput },
        'application/x-www-form-urlencoded': { schema: usefulnessInput },
      },
    },
  },
  responses: {
    201: { content: { 'application/json': { schema: usefulnessResult } }, description: 'Recorded' },
    303: { description: 'Recorded (form post): back to the page' },
    400: { content: { 'application/problem+json': { schema: problemSchema } }, description: 'Invalid JSON' },
    413: { content: { 'application/problem+json': { schema: problemSchema } }, description: 'Body too large' },
    415: { content: { 'application/problem+json': { schema: problemSchema } }, description: 'Not JSON or a form' },
    422: {
      content: { 'application/problem+json': { schema: problemSchema } },
      description: 'Invalid fields or unknown procedure',
    },
    429: {
      content: { 'application/problem+json': { schema: problemSchema } },
      description: 'Too many votes from this client in the window: rate_limited (Retry-After)',
    },
  },
});

export const usefulnessRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const isForm = !/json/i.test(c.req.header('content-type') ?? '');
  const input = isForm ? c.req.valid('form') : c.req.valid('json');
  const { db, now } = c.var.deps;
  if (!(await procedureExists(db.client, input.procedure)))
    throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });
  // The per-client limit of every anonymous write, per page as ratings are per unit (issue #7
  // part 6); counted in the vote's batch.
  const hit = await clientRateLimit(c, `page-usefulness|${input.procedure}`, now());
  const counts = await recordUsefulness(
    db.client,
    {
      procedure: input.procedure,
      useful: input.useful === 'yes',
      comment: input.comment,
      locale: input.locale,
      at: now(),
    },
    [hit],
  );
  if (isForm) {
    // Back to the page; the #cam-on target shows the thank-you note with CSS only.
    return c.redirect(`${input.return_to ?? '/'}#cam-on`, 303);
  }
  return c.json({ procedure: input.procedure, ...counts }, 201);
});
