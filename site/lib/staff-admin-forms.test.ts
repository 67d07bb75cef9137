/**
 * The admin pages' form mappings (site/lib/staff-admin-forms.ts): the "new account" form sends
 * what POST /api/v1/staff/users accepts, refusals point at the right input, the audit filter keeps
 * only what GET /api/v1/staff/audit accepts, and every action the API writes has a name.
 */
import { formatInstant } from '../i18n/index.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTIONS,
  AUDIT_FILTER_ACTIONS,
  ROLE_ROWS,
  STAFF_ROLES,
  accountId,
  auditFilters,
  auditQueryString,
  createFieldId,
  detailPairs,
  feedbackStepOf,
  newStaffBody,
} from './staff-admin-forms.ts';

function formOf(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

describe('newStaffBody', () => {
  it('knows the roles of the database', () => {
    // Read as text: site/ imports only api/contracts, and the list lives in db/staff.ts.
    const src = readFileSync(join(import.meta.dirname, '..', '..', 'db', 'staff.ts'), 'utf8');
    const list = /export const staffRoles = \[([^\]]*)\]/.exec(src)?.[1] ?? '';
    expect([...STAFF_ROLES]).toEqual([...list.matchAll(/'([a-z]+)'/g)].map((m) => m[1]));
  });

  it('sends the filled role rows only, remembering which row each came from', () => {
    const { body, rows } = newStaffBody(
      formOf({
        username: '  lan.nguyen ',
        display_name: 'Nguyễn Thị Lan',
        role_0: '',
        unit_0: '',
        role_1: 'handler',
        unit_1: 'phuong-ninh-hoa',
        role_2: 'coordinator',
        unit_2: 'khanh-hoa',
        csrf_token: 'x',
      }),
    );
    expect(body).toEqual({
      username: 'lan.nguyen',
      display_name: 'Nguyễn Thị Lan',
      roles: [
        { role: 'handler', unit: 'phuong-ninh-hoa' },
        { role: 'coordinator', unit: 'khanh-hoa' },
      ],
    });
    expect(rows).toEqual([1, 2]);
  });

  it('sends half a grant for the API to refuse, and nothing beyond the offered rows', () => {
    const { body, rows } = newStaffBody(
      formOf({ username: 'a', display_name: 'A', role_0: 'handler', [`role_${ROLE_ROWS}`]: 'admin' }),
    );
    expect(body.roles).toEqual([{ role: 'handler', unit: '' }]);
    expect(rows).toEqual([0]);
    expect(Object.keys(body).sort()).toEqual(['display_name', 'roles', 'username']);
  });

  it('sends no roles when every row is blank (the API asks for one)', () => {
    expect(newStaffBody(formOf({ username: 'abc', display_name: 'A' })).body.roles).toEqual([]);
  });
});

describe('createFieldId', () => {
  it('maps API paths to the inputs of the form', () => {
    expect(createFieldId('username', [])).toBe('a-username');
    expect(createFieldId('display_name', [])).toBe('a-display-name');
    expect(createFieldId('roles', [])).toBe('a-role-0');
    expect(createFieldId('roles.1.unit', [0, 2])).toBe('a-unit-2');
    expect(createFieldId('roles.0.role', [1])).toBe('a-role-1');
    expect(createFieldId('roles.0', [2])).toBe('a-role-2');
    expect(createFieldId('password', [])).toBeUndefined();
  });
});

describe('accountId', () => {
  it('takes positive integers only', () => {
    expect(accountId('12')).toBe(12);
    for (const bad of ['0', '-1', '1.5', '12a', '', null, undefined, '1234567890123456'])
      expect(accountId(bad)).toBe(undefined);
  });
});

describe('audit actions', () => {
  it('names every action the API writes', () => {
    // The literal actions in the API's audit calls (feedback steps are `feedback_${action}`).
    const api = [
      'api/routes/staff-auth.ts',
      'api/routes/staff-admin.ts',
      'api/routes/staff-feedback.ts',
      'api/routes/staff-mfa.ts',
      'api/routes/officers.ts',
      'api/staff/auth.ts',
      'api/staff/sign-in.ts',
    ]
      .map((f) => readFileSync(join(import.meta.dirname, '..', '..', f), 'utf8'))
      .join('\n');
    const literal = new Set([
      ...[...api.matchAll(/action: '([a-z_]+)'/g)].map((m) => m[1]!),
      ...[...api.matchAll(/auditRead\(c, '([a-z_]+)'/g)].map((m) => m[1]!),
    ]);
    expect(literal.size).toBeGreaterThan(10);
    for (const a of literal) expect(AUDIT_ACTIONS, a).toContain(a);
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });

  it('filters only by actions the API query accepts', () => {
    for (const a of AUDIT_FILTER_ACTIONS) expect(a).toMatch(/^[a-z_-]{1,40}$/);
    expect(AUDIT_FILTER_ACTIONS).toContain('feedback_request-info');
    expect(AUDIT_FILTER_ACTIONS).toContain('staff_create');
    expect(AUDIT_FILTER_ACTIONS).toContain('feedback_classify');
  });

  it('knows the feedback step of an action', () => {
    expect(feedbackStepOf('feedback_request-info')).toBe('request-info');
    expect(feedbackStepOf('feedback_enter')).toBeUndefined();
    expect(feedbackStepOf('logout')).toBeUndefined();
  });
});

describe('auditFilters', () => {
  it('keeps known actions and sane pages, drops the rest', () => {
    expect(auditFilters(new URLSearchParams('action=staff_create&page=3'))).toEqual({
      action: 'staff_create',
      page: 3,
    });
    expect(auditFilters(new URLSearchParams('action=drop_table&page=0'))).toEqual({ page: 1 });
    expect(auditFilters(new URLSearchParams('page=1.5'))).toEqual({ page: 1 });
    expect(auditFilters(new URLSearchParams('page=10001'))).toEqual({ page: 1 });
  });

  it('round-trips through the query string', () => {
    expect(auditQueryString({ page: 1 })).toBe('');
    expect(auditQueryString({ action: 'logout', page: 2 })).toBe('?action=logout&page=2');
    expect(auditQueryString({ action: 'logout', page: 2 }, 1)).toBe('?action=logout');
    const f = { action: 'view_personal_data', page: 4 };
    expect(auditFilters(new URLSearchParams(auditQueryString(f)))).toEqual(f);
  });
});

describe('formatInstant to the second', () => {
  it('shows Việt Nam time to the second', () => {
    // vi-VN writes the time first, as Vietnamese documents do.
    expect(formatInstant('2026-03-01T17:30:05.000Z', 'vi', 'second')).toBe('00:30:05 02/03/2026');
    expect(formatInstant('2026-03-01T17:30:05.000Z', 'en', 'second')).toMatch(/^02\/03\/2026,? 00:30:05$/);
  });
});

describe('detailPairs', () => {
  it('keeps scalar details only', () => {
    expect(detailPairs(null)).toEqual([]);
    expect(detailPairs({ from: 'received', files: 0, ok: true, nested: { a: 1 }, list: [1] })).toEqual([
      ['from', 'received'],
      ['files', 0],
      ['ok', true],
    ]);
  });
});
