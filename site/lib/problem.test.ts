import { describe, expect, it } from 'vitest';
import { problemOf } from './problem.ts';

const problem = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

describe('problemOf', () => {
  it('reads the code, the field errors and Retry-After', async () => {
    expect(
      await problemOf(
        problem(422, { code: 'validation_failed', errors: [{ path: 'title', code: 'control_character' }] }),
      ),
    ).toEqual({ status: 422, code: 'validation_failed', errors: [{ path: 'title', code: 'control_character' }] });
    expect(await problemOf(problem(429, { code: 'rate_limited' }, { 'retry-after': '30' }))).toMatchObject({
      code: 'rate_limited',
      retryAfter: 30,
    });
  });
  it('reads a body that is no problem as rate_limited (429) or internal_error', async () => {
    expect(await problemOf(problem(429, 'Too many'))).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(await problemOf(problem(502, '<html>'))).toEqual({ status: 502, code: 'internal_error', errors: undefined });
  });
});
