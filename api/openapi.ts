import { z } from '@hono/zod-openapi';
import { fieldErrorCodes, problemCodes } from './contracts/problem.ts';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(problemCodes),
    errors: z
      .array(
        z.object({
          path: z.string(),
          code: z.enum(fieldErrorCodes),
          params: z.record(z.string(), z.number()).optional(),
          kind: z.string().optional(),
        }),
      )
      .optional(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
  })
  .openapi('Problem');

/** An OpenAPI response of problem+json, for a route's error statuses. */
export const problems = (description: string) => ({
  content: { 'application/problem+json': { schema: problemSchema } },
  description,
});
