/**
 * The privacy notice and the periods of the sender's rights, as content (issue #7 part 4;
 * docs/privacy.md): content/privacy/notice.yaml (versioned notice, vi and en) and
 * content/privacy/rights.yaml (response periods in working days). Read by the API (the version
 * stored on each case, the due date of a request) and by the site (the notice on /gop-y/), so it
 * lives with the contracts. A broken file throws a ContentError naming file, entry and field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ContentError, type ContentProblem } from './load-content.ts';

const localized = z.object({ vi: z.string().min(1), en: z.string().min(1) }).strict();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const noticeVersion = z
  .object({
    id: z.string().regex(/^\d{4}-[a-z0-9-]+$/),
    in_force_from: isoDate,
    replaced_on: isoDate.optional(),
    title: localized,
    law: localized,
    controller: localized,
    purposes_title: localized,
    purposes: z
      .array(z.object({ id: z.string().min(1), purpose: localized, basis: localized, data: localized }).strict())
      .min(1),
    sections: z
      .array(z.object({ id: z.string().min(1), heading: localized, items: z.array(localized).min(1) }).strict())
      .min(1),
    consent: localized,
  })
  .strict();
export type NoticeVersion = z.infer<typeof noticeVersion>;

export const privacyNoticeFile = z
  .object({ current: z.string().min(1), versions: z.array(noticeVersion).min(1) })
  .strict()
  .superRefine((f, ctx) => {
    const ids = f.versions.map((v) => v.id);
    if (!ids.includes(f.current))
      ctx.addIssue({ code: 'custom', path: ['current'], message: 'no version has this id' });
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['versions', i, 'id'], message: 'duplicate id' });
    });
    const cur = f.versions.find((v) => v.id === f.current);
    if (cur?.replaced_on)
      ctx.addIssue({ code: 'custom', path: ['current'], message: 'the current version is replaced' });
  });
export type PrivacyNotice = z.infer<typeof privacyNoticeFile>;

export const dataRequestKinds = ['correct', 'delete'] as const;
export type DataRequestKind = (typeof dataRequestKinds)[number];

export const privacyRightsFile = z
  .object({
    response_working_days: z
      .object({ correct: z.number().int().min(1).max(60), delete: z.number().int().min(1).max(60) })
      .strict(),
    source: z.object({ ref: z.string().min(1), sample: z.boolean() }).strict(),
  })
  .strict();
export type PrivacyRights = z.infer<typeof privacyRightsFile>;

export const dataRequestStatuses = ['pending', 'done', 'refused'] as const;

/** A request as its sender sees it: no new values (they are blanked once decided), no staff name. */
export const dataRequestOut = z.object({
  id: z.number().int(),
  kind: z.enum(dataRequestKinds),
  status: z.enum(dataRequestStatuses),
  requested_at: z.string(),
  /** The legal response period, counted in working days (content/privacy/rights.yaml). */
  due_at: z.string(),
  decided_at: z.string().nullable(),
  /** The reason of a refusal, or a note on what was done, as written for the sender. */
  decision_note: z.string().nullable(),
});
export type DataRequestOut = z.infer<typeof dataRequestOut>;

function load<T>(root: string, rel: string, schema: z.ZodType<T>): T {
  const file = join(root, rel);
  const shown = relative(join(root, '..'), file) || file;
  const problems: ContentProblem[] = [];
  let data: unknown;
  if (!existsSync(file)) problems.push({ file: shown, entry: '(file)', field: '(file)', message: 'file is missing' });
  else
    try {
      data = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0]! : 'unreadable';
      problems.push({ file: shown, entry: '(file)', field: '(file)', message });
    }
  if (problems.length === 0) {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      problems.push({ file: shown, entry: '(file)', field: issue.path.map(String).join('.'), message: issue.message });
  }
  throw new ContentError(problems);
}

const notices = new Map<string, PrivacyNotice>();
const rights = new Map<string, PrivacyRights>();

/** content/privacy/notice.yaml, read once per content folder (it changes with a deploy). */
export function loadPrivacyNotice(root: string): PrivacyNotice {
  let n = notices.get(root);
  if (!n) notices.set(root, (n = load(root, join('privacy', 'notice.yaml'), privacyNoticeFile)));
  return n;
}

/** content/privacy/rights.yaml, read once per content folder. */
export function loadPrivacyRights(root: string): PrivacyRights {
  let r = rights.get(root);
  if (!r) rights.set(root, (r = load(root, join('privacy', 'rights.yaml'), privacyRightsFile)));
  return r;
}

/** The version in force: the one stored on every case received now. */
export function currentNotice(root: string): NoticeVersion {
  const n = loadPrivacyNotice(root);
  return n.versions.find((v) => v.id === n.current)!;
}

/**
 * A notice text with its placeholders filled.
 * @example fillNotice('kept {{years}} years', { years: 3 }) === 'kept 3 years'
 */
export function fillNotice(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
