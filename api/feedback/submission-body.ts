/**
 * Bodies of feedback writes that may carry files (issue #4: up to 5 attachments): JSON without
 * files, or multipart/form-data with the JSON in a `data` part and files in `attachments` parts.
 * Every file goes through api/attachments/ before anything is stored: the bytes as sent are never
 * kept.
 */
import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { ProblemError } from '../problem.ts';
import type { FieldError } from '../contracts/problem.ts';
import { ATTACHMENT_LIMITS, checkAttachment, pixelBudget, type CleanAttachment } from '../attachments/attachments.ts';

/** The multipart form of a write with files, as the OpenAPI document describes it. */
export const multipartBody = z.object({
  data: z.string().openapi({ description: 'The JSON object of the application/json form, as text' }),
  // One file arrives as a single part, several as a list: checked by api/feedback/submission-body.ts.
  attachments: z
    .any()
    .optional()
    .openapi({
      type: 'array',
      items: { type: 'string', format: 'binary' },
      description: 'Up to 5 files: JPEG, PNG or PDF, at most 10 MB each',
    }),
});

export interface SubmissionBody {
  data: unknown;
  files: File[];
}

/** The JSON value and the files of a request; 415 for other media types, 400 for broken bodies. */
export async function readSubmission(c: Context): Promise<SubmissionBody> {
  const essence = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (essence === 'application/json') {
    try {
      return { data: await c.req.json(), files: [] };
    } catch {
      throw new ProblemError(400, 'invalid_json');
    }
  }
  if (essence !== 'multipart/form-data') throw new ProblemError(415, 'unsupported_media_type');
  let form: Record<string, string | File | (string | File)[]>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    throw new ProblemError(400, 'invalid_body');
  }
  const raw = form.data;
  if (typeof raw !== 'string')
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'data', code: 'required' }] });
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new ProblemError(400, 'invalid_json');
  }
  const parts = form.attachments === undefined ? [] : [form.attachments].flat();
  // An empty file input sends one part with no name and no bytes: that is "no file".
  const files = parts.filter((p): p is File => typeof p !== 'string' && !(p.size === 0 && p.name === ''));
  if (parts.some((p) => typeof p === 'string'))
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'attachments', code: 'wrong_type' }] });
  return { data, files };
}

/** Checks every file; the first refusal answers 422 with its code and the file's position. */
export async function cleanFiles(files: readonly File[]): Promise<CleanAttachment[]> {
  if (files.length > ATTACHMENT_LIMITS.maxFiles)
    throw new ProblemError(422, 'too_many_attachments', {
      errors: [{ path: 'attachments', code: 'too_large', params: { maximum: ATTACHMENT_LIMITS.maxFiles } }],
    });
  const clean: CleanAttachment[] = [];
  const pixels = pixelBudget();
  for (const [i, file] of files.entries()) {
    // Refuse before reading a file that is already too large.
    if (file.size > ATTACHMENT_LIMITS.maxBytes) throw fileProblem('attachment_too_large', i);
    const result = await checkAttachment(
      {
        name: file.name,
        bytes: new Uint8Array(await file.arrayBuffer()),
        declaredType: file.type || undefined,
      },
      pixels,
    );
    if (!result.ok) throw fileProblem(result.code, i);
    clean.push(result.file);
  }
  return clean;
}

function fileProblem(code: string, index: number): ProblemError {
  const errors: FieldError[] = [{ path: `attachments.${index}`, code: 'invalid_value' }];
  return new ProblemError(422, code as ConstructorParameters<typeof ProblemError>[1], { errors });
}
