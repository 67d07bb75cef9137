/**
 * The feedback pages' rules on the server (site/lib/feedback.ts): the answers checked with the
 * API's own schema before the check screen, which refusals go back to the questions and which to
 * the file step, how errors read, what a rating form sends, and that the privacy notice tells the
 * retention the API applies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTACT_RETENTION_YEARS,
  actionBody,
  checkFeedback,
  deadlineChange,
  feedbackErrorView,
  filesOf,
  isFileProblem,
  readAnswers,
  withFiles,
  type Translate,
} from './feedback.ts';

const t: Translate = (key, o) => (o ? `${key} ${JSON.stringify(o)}` : key);

const complete = {
  kind: 'phan-anh',
  subject: 'khac',
  title: 'Chờ lâu',
  content: 'Tôi chờ hai giờ.',
  name: 'Nguyễn Văn An',
  phone: '0901 234 567',
  publish_content: false,
  show_name: false,
};

describe('checkFeedback', () => {
  it('passes complete answers', () => {
    expect(checkFeedback(complete, 'vi')).toBeUndefined();
  });

  it('reports missing fields with the API’s codes, and "phone or email" on both', () => {
    const p = checkFeedback({ kind: 'phan-anh' }, 'vi');
    expect(p?.code).toBe('validation_failed');
    const paths = p!.errors!.map((e) => `${e.path}:${e.code}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'subject:required',
        'title:required',
        'name:required',
        'phone:required',
        'email:required',
      ]),
    );
  });

  it('says too long with the maximum, and a bad phone as invalid', () => {
    const p = checkFeedback({ ...complete, title: 'x'.repeat(201), phone: '12345' }, 'vi');
    expect(p!.errors).toEqual(
      expect.arrayContaining([
        { path: 'title', code: 'too_long', params: { max: 200 } },
        expect.objectContaining({ path: 'phone' }),
      ]),
    );
  });
});

describe('the form post', () => {
  it('reads answers and the two consents', () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...complete, publish_content: 'yes' })) form.set(k, String(v));
    form.set('address', '   ');
    const a = readAnswers(form);
    expect(a).toMatchObject({ title: 'Chờ lâu', publish_content: true, show_name: false });
    expect(a.address).toBeUndefined();
  });

  it('an empty file input is no file', () => {
    const form = new FormData();
    form.append('attachments', new File([], ''));
    expect(filesOf(form)).toEqual([]);
    form.append('attachments', new File(['x'], 'a.jpg'));
    expect(filesOf(form).map((f) => f.name)).toEqual(['a.jpg']);
  });

  it('sends JSON without files and multipart with them', async () => {
    expect(withFiles({ a: 1 }, []).headers).toEqual({ 'content-type': 'application/json' });
    const { body } = withFiles({ a: 1 }, [new File(['x'], 'a.pdf')]);
    const form = body as FormData;
    expect(JSON.parse(form.get('data') as string)).toEqual({ a: 1 });
    expect((form.get('attachments') as File).name).toBe('a.pdf');
  });
});

describe('errors', () => {
  it('a refused file is named by position and name, by the file field', () => {
    const problem = {
      code: 'attachment_type_not_allowed',
      errors: [{ path: 'attachments.1', code: 'invalid_value' }],
    };
    expect(isFileProblem(problem)).toBe(true);
    const v = feedbackErrorView(problem, t, ['a.jpg', 'b.txt'], '#send');
    expect(v.summary).toHaveLength(1);
    expect(v.summary[0]!.href).toBe('#attachments');
    expect(v.byField.attachments).toContain('"n":2');
    expect(v.byField.attachments).toContain('b.txt');
  });

  it('too many files and a body too large are said by the file field', () => {
    expect(
      feedbackErrorView({ code: 'too_many_attachments', errors: [{ path: 'attachments', code: 'too_large' }] }, t)
        .byField.attachments,
    ).toContain('problem.too_many_attachments');
    expect(feedbackErrorView({ code: 'payload_too_large' }, t).summary[0]!.href).toBe('#attachments');
  });

  it('"phone or email" once, on the phone field', () => {
    const v = feedbackErrorView(
      {
        code: 'contact_required',
        errors: [
          { path: 'phone', code: 'required' },
          { path: 'email', code: 'required' },
        ],
      },
      t,
    );
    expect(v.summary).toEqual([{ href: '#phone', text: 'feedback.contactRequired' }]);
  });

  it('a problem without a field links to the fallback', () => {
    expect(feedbackErrorView({ code: 'rate_limited' }, t, [], '#feedback-send').summary[0]!.href).toBe(
      '#feedback-send',
    );
  });
});

describe('actions of the sender', () => {
  it('rate: satisfied drops the reasons; not satisfied keeps them', () => {
    const form = new FormData();
    form.set('satisfied', 'hai-long');
    form.append('reasons', 'cham');
    expect(actionBody('rate', form, { code: 'ABCD-EFGH', key: 'k'.repeat(32) })).toMatchObject({
      action: 'rate',
      satisfied: true,
      reasons: [],
      code: 'ABCD-EFGH',
    });
    form.set('satisfied', 'khong-hai-long');
    expect(actionBody('rate', form, { link: 'l'.repeat(40) })).toMatchObject({
      satisfied: false,
      reasons: ['cham'],
      link: 'l'.repeat(40),
    });
  });

  it('dispute sends the text', () => {
    const form = new FormData();
    form.set('body', '  Chưa đúng  ');
    expect(actionBody('dispute', form, { link: 'x'.repeat(40) })).toEqual({
      link: 'x'.repeat(40),
      action: 'dispute',
      body: 'Chưa đúng',
    });
  });
});

it('the privacy notice tells the retention the API applies', () => {
  const intake = readFileSync(join(import.meta.dirname, '..', '..', 'api', 'feedback', 'intake.ts'), 'utf8');
  expect(Number(/CONTACT_RETENTION_YEARS = (\d+)/.exec(intake)?.[1])).toBe(CONTACT_RETENTION_YEARS);
});

describe('deadlineChange (why the answer date moved, issue #11 part 3)', () => {
  const ev = (action: string, to: string, at: string) => ({ action, to, at });
  it('is nothing before any step that moves the deadline', () => {
    expect(deadlineChange([ev('submit', 'received', '2026-02-12T03:00:00Z')])).toBeUndefined();
  });
  it('names the last step that moved it: classification, extension, re-examination, a transfer inside the portal', () => {
    const events = [
      ev('submit', 'received', '2026-02-12T03:00:00Z'),
      ev('classify', 'classified', '2026-02-13T02:00:00Z'),
      ev('assign', 'assigned', '2026-02-13T03:00:00Z'),
    ];
    expect(deadlineChange(events)).toEqual({ reason: 'classify', at: '2026-02-13T02:00:00Z' });
    expect(deadlineChange([...events, ev('extend', 'assigned', '2026-02-20T02:00:00Z')])).toEqual({
      reason: 'extend',
      at: '2026-02-20T02:00:00Z',
    });
    expect(deadlineChange([...events, ev('dispute', 'disputed', '2026-03-01T02:00:00Z')])?.reason).toBe('dispute');
    expect(deadlineChange([ev('transfer', 'received', '2026-02-14T02:00:00Z')])?.reason).toBe('transfer');
  });
  it('ignores a transfer out of the portal, which ends the case', () => {
    expect(deadlineChange([ev('transfer', 'transferred', '2026-02-14T02:00:00Z')])).toBeUndefined();
  });
});
