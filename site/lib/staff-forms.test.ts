/**
 * The staff workspace's form mappings (site/lib/staff-forms.ts): what each plain HTML form sends
 * to the API must pass the API's strict schemas, and nothing else may slip in.
 */
import { formatInstant } from '../i18n/index.ts';
import { describe, expect, it } from 'vitest';
import { manualEntryInput, staffActionInput } from '../../api/contracts/feedback-actions.ts';
import {
  ACTION_FIELDS,
  STAFF_ACTIONS,
  actionBody,
  fieldAria,
  filesOf,
  inboxFilters,
  inboxQueryString,
  keptValues,
  manualEntryBody,
  receivedAt,
  waitInWords,
  vnDateParts,
} from './staff-forms.ts';

function formOf(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

describe('actionBody', () => {
  it('knows exactly the staff steps of the API contract', () => {
    const contract = staffActionInput.options.map((o) => o.shape.action.value);
    expect([...STAFF_ACTIONS].sort()).toEqual([...contract].sort());
  });

  it('sends only the fields of the step, never the CSRF token or the intent', () => {
    const body = actionBody(
      formOf({ intent: 'action', action: 'reject', csrf_token: 'x', note: 'Ngoài phạm vi', kind: 'phan-anh' }),
    );
    expect(body).toEqual({ action: 'reject', note: 'Ngoài phạm vi' });
    expect(staffActionInput.safeParse(body).success).toBe(true);
  });

  it('every step filled as its form would be passes the API schema', () => {
    const filled: Record<string, string> = {
      kind: 'kien-nghi',
      subject: 'hanh-vi',
      procedure: '',
      note: 'Ghi chú',
      unit: 'phuong-ninh-hoa',
      outside_agency: '',
      body: 'Trả lời',
      days: '5',
      title: 'Tiêu đề',
      content: 'Nội dung',
      answer: 'Trả lời',
      show_name: 'yes',
    };
    for (const action of STAFF_ACTIONS) {
      const form = formOf({ action, ...Object.fromEntries(ACTION_FIELDS[action].map((f) => [f, filled[f]!])) });
      const parsed = staffActionInput.safeParse(actionBody(form));
      expect(parsed.success, action).toBe(true);
    }
  });

  it('blank optional fields are absent for the API; a blank required note is refused by it', () => {
    const start = actionBody(formOf({ action: 'start', note: '' }));
    expect(staffActionInput.parse(start)).toEqual({ action: 'start' });
    expect(staffActionInput.safeParse(actionBody(formOf({ action: 'reject', note: '  ' }))).success).toBe(false);
  });

  it('a checkbox is a boolean; an unknown step is nothing', () => {
    expect(actionBody(formOf({ action: 'publish', title: 'a', content: 'b', answer: 'c' }))?.show_name).toBe(false);
    expect(actionBody(formOf({ action: 'dispute' }))).toBeUndefined();
    expect(actionBody(formOf({}))).toBeUndefined();
  });
});

describe('manual entry', () => {
  it('a letter with only an address and its date of receipt passes the API schema', () => {
    const body = manualEntryBody(
      formOf({
        channel: 'letter',
        kind: 'kien-nghi',
        subject: 'quy-dinh',
        unit: 'phuong-ninh-hoa',
        procedure: '',
        title: 'Đề nghị niêm yết phí',
        content: 'Thư tay.',
        received_at: '2026-03-02',
        name: 'Phạm Văn Thư',
        phone: '',
        email: '',
        address: '5 Lê Lợi',
        show_name: 'yes',
      }),
      'vi',
    );
    const parsed = manualEntryInput.parse(body);
    expect(parsed.received_at).toBe('2026-03-02T08:00:00+07:00');
    expect(parsed.phone).toBeUndefined();
    // Showing the name without publishing at all means nothing: not sent as consent.
    expect(parsed.show_name).toBe(false);
    expect(parsed.locale).toBe('vi');
  });

  it('the date of receipt: blank is now, a date is 08:00 Việt Nam, anything else goes to the API as is', () => {
    expect(receivedAt('')).toBeUndefined();
    expect(receivedAt('2026-01-05')).toBe('2026-01-05T08:00:00+07:00');
    expect(receivedAt('hôm qua')).toBe('hôm qua');
  });
});

describe('inbox filters', () => {
  it('keeps only values the API accepts, and round-trips through the query string', () => {
    const f = inboxFilters(
      new URLSearchParams(
        'status=received&unit=phuong-ninh-hoa&kind=nope&channel=letter&overdue=1&q=%20nguyen%20hue%20&page=2',
      ),
    );
    expect(f).toEqual({
      status: 'received',
      unit: 'phuong-ninh-hoa',
      channel: 'letter',
      overdue: true,
      q: 'nguyen hue',
      page: 2,
    });
    expect(inboxQueryString(f)).toBe(
      '?status=received&unit=phuong-ninh-hoa&channel=letter&overdue=1&q=nguyen+hue&page=2',
    );
    expect(inboxQueryString(f, 1)).not.toContain('page=');
    expect(inboxFilters(new URLSearchParams('page=-3&unit=../x'))).toEqual({ page: 1 });
    expect(inboxQueryString({ page: 1 })).toBe('');
  });
});

describe('small helpers', () => {
  it('Retry-After in words', () => {
    expect(waitInWords(600, 'vi')).toBe('10 phút');
    expect(waitInWords(61, 'en')).toBe('2 minutes');
    expect(waitInWords(1, 'en')).toBe('1 second');
  });

  it('dates in Việt Nam time', () => {
    expect(formatInstant('2026-03-17T16:59:59.999Z', 'vi')).toBe('17/03/2026');
    expect(formatInstant('2026-03-02T02:05:00Z', 'en', 'minute')).toBe('02/03/2026, 09:05');
    expect(vnDateParts('2026-03-17T17:30:00Z')).toEqual({ day: '18', month: '03', year: '2026' });
  });

  it('kept values drop the password and the CSRF token; empty file inputs are no files', () => {
    const f = formOf({ username: 'a', password: 'secret', csrf_token: 't', note: 'n' });
    expect(keptValues(f)).toEqual({ username: 'a', note: 'n' });
    const g = new FormData();
    g.append('attachments', new File([], ''));
    g.append('attachments', new File(['%PDF-'], 'a.pdf'));
    expect(filesOf(g).map((x) => x.name)).toEqual(['a.pdf']);
  });
});

describe('fieldAria', () => {
  it('links the hint, and the error with aria-invalid only when there is one', () => {
    expect(fieldAria('h', 'e', undefined)).toEqual({ 'aria-describedby': 'h' });
    expect(fieldAria('h', 'e', 'Required')).toEqual({ 'aria-describedby': 'h e', 'aria-invalid': 'true' });
    expect(fieldAria(undefined, 'e', 'Required')).toEqual({ 'aria-describedby': 'e', 'aria-invalid': 'true' });
    expect(fieldAria(undefined, 'e', undefined)).toEqual({});
  });
});
