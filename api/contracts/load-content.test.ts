/**
 * The content loader against the real content/ and against broken copies of it: each broken copy
 * must be refused with a ContentError naming the file (relative, as the loader prints it), the
 * entry and the field (issue #2, "Invalid content fails the build").
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ContentError, loadContent, type ContentProblem } from './load-content.ts';
import { unitKinds } from './content.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');

/** The parts of the YAML files the tests change. */
interface ProcY {
  code: string;
  field: string;
  units: string[];
  result?: unknown;
}
interface UnitY {
  id: string;
  parent?: string;
  kind?: string;
  valid_from?: string;
  name?: Record<string, string>;
}
interface HotlineY {
  contacts: { primary?: boolean }[];
}
interface ReformY {
  indices: { id: string; results: { scope: string; value: number }[] }[];
}

describe('the real content/', () => {
  const content = loadContent(CONTENT);

  it('loads at least 40 units, a procedure and the reform results', () => {
    expect(content.units.length).toBeGreaterThanOrEqual(40);
    expect(content.procedures.length).toBeGreaterThanOrEqual(1);
    expect(content.fields.length).toBeGreaterThanOrEqual(1);
    expect(content.indices.length).toBeGreaterThanOrEqual(1);
    expect(content.targets.length).toBeGreaterThanOrEqual(1);
    expect(content.feedbackSteps.length).toBeGreaterThanOrEqual(1);
  });

  it('has exactly one primary contact', () => {
    expect(content.contacts.filter((c) => c.primary)).toHaveLength(1);
  });

  it('has unique unit ids and procedure codes, and every reference resolves', () => {
    const unitIds = new Set(content.units.map((u) => u.id));
    expect(unitIds.size).toBe(content.units.length);
    expect(new Set(content.procedures.map((p) => p.code)).size).toBe(content.procedures.length);
    const fieldIds = new Set(content.fields.map((f) => f.id));
    for (const p of content.procedures) {
      expect(fieldIds, `field of ${p.code}`).toContain(p.field);
      for (const u of p.units) expect(unitIds, `unit of ${p.code}`).toContain(u);
    }
    for (const u of content.units) {
      if (u.parent) expect(unitIds).toContain(u.parent);
      if (u.successor) expect(unitIds).toContain(u.successor);
      expect(unitKinds).toContain(u.kind);
    }
    for (const c of content.contacts) expect(unitIds).toContain(c.unit);
  });

  it('contains the procedure used as the example everywhere (1.001193)', () => {
    expect(content.procedures.map((p) => p.code)).toContain('1.001193');
  });
});

describe('a broken copy of content/', () => {
  let tmp: string;
  let root: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'gopy-content-'));
    root = join(tmp, 'content');
    cpSync(CONTENT, root, { recursive: true });
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Reads a YAML file of the copy, lets `fn` change it, writes it back. */
  function edit<T>(file: string, fn: (data: T) => void): void {
    const path = join(root, file);
    const data = parse(readFileSync(path, 'utf8')) as T;
    fn(data);
    writeFileSync(path, stringify(data));
  }

  function problemsOf(): { problems: ContentProblem[]; message: string } {
    let caught: unknown;
    try {
      loadContent(root);
    } catch (err) {
      caught = err;
    }
    expect(caught, 'loadContent should throw').toBeInstanceOf(ContentError);
    const err = caught as ContentError;
    expect(err.name).toBe('ContentError');
    return { problems: err.problems, message: err.message };
  }

  /** Asserts one problem names this file, entry and field, and that the message prints them. */
  function expectProblem(want: { file: string; entry: string; field: string; message?: RegExp }): ContentProblem[] {
    const { problems, message } = problemsOf();
    const hit = problems.find((p) => p.file === want.file && p.entry === want.entry && p.field === want.field);
    expect(hit, `no problem ${JSON.stringify(want)} in ${JSON.stringify(problems, null, 1)}`).toBeDefined();
    if (want.message) expect(hit!.message).toMatch(want.message);
    expect(message).toContain(`${want.file}: entry ${want.entry}: field "${want.field}": ${hit!.message}`);
    return problems;
  }

  const hoTich = 'content/procedures/ho-tich.yaml';
  const findProc = (list: ProcY[], code: string): ProcY => {
    const p = list.find((x) => x.code === code);
    expect(p).toBeDefined();
    return p!;
  };

  it('an unchanged copy loads (control for every case below)', () => {
    const content = loadContent(root);
    expect(content.units.length).toBe(loadContent(CONTENT).units.length);
  });

  it('a procedure without a required field (result)', () => {
    edit<ProcY[]>('procedures/ho-tich.yaml', (list) => {
      delete findProc(list, '1.001193').result;
    });
    const problems = expectProblem({ file: hoTich, entry: '"1.001193" (#1)', field: 'result' });
    // One bad field, one problem: the other entries and files still load.
    expect(problems).toHaveLength(1);
  });

  it('a procedure pointing at a unit that does not exist', () => {
    edit<ProcY[]>('procedures/ho-tich.yaml', (list) => {
      findProc(list, '1.001193').units.push('xa-khong-ton-tai');
    });
    const problems = problemsOf().problems;
    const p = findProc(parse(readFileSync(join(root, 'procedures/ho-tich.yaml'), 'utf8')), '1.001193');
    const index = p.units.length - 1;
    expectProblem({
      file: hoTich,
      entry: '"1.001193"',
      field: `units[${index}]`,
      message: /unknown unit "xa-khong-ton-tai"/,
    });
    expect(problems).toHaveLength(1);
  });

  it('a bad procedure code ("12345")', () => {
    edit<ProcY[]>('procedures/ho-tich.yaml', (list) => {
      findProc(list, '1.001193').code = '12345';
    });
    const problems = expectProblem({ file: hoTich, entry: '"12345" (#1)', field: 'code' });
    expect(problems).toHaveLength(1);
  });

  it('the same procedure code in two files', () => {
    const copy = findProc(parse(readFileSync(join(root, 'procedures/ho-tich.yaml'), 'utf8')), '1.001193');
    writeFileSync(join(root, 'procedures/zz-copy.yaml'), stringify([copy]));
    expectProblem({
      file: 'content/procedures/zz-copy.yaml',
      entry: '"1.001193"',
      field: 'code',
      message: /duplicate code "1\.001193"/,
    });
  });

  it('a duplicate unit id', () => {
    edit<UnitY[]>('units.yaml', (list) => {
      list.push({ ...list.find((u) => u.id === 'khanh-hoa')! });
    });
    const problems = expectProblem({
      file: 'content/units.yaml',
      entry: '"khanh-hoa"',
      field: 'id',
      message: /duplicate id "khanh-hoa"/,
    });
    expect(problems).toHaveLength(1);
  });

  it('a parent loop', () => {
    edit<UnitY[]>('units.yaml', (list) => {
      const base = { kind: 'xa', valid_from: '2025-07-01' };
      list.push({ ...base, id: 'xa-vong-a', parent: 'xa-vong-b', name: { vi: 'Xã A', en: 'A Commune' } });
      list.push({ ...base, id: 'xa-vong-b', parent: 'xa-vong-a', name: { vi: 'Xã B', en: 'B Commune' } });
    });
    const problems = expectProblem({
      file: 'content/units.yaml',
      entry: '"xa-vong-a"',
      field: 'parent',
      message: /loops/,
    });
    expect(problems.map((p) => p.entry).sort()).toEqual(['"xa-vong-a"', '"xa-vong-b"']);
  });

  it('a parent that does not exist', () => {
    edit<UnitY[]>('units.yaml', (list) => {
      list.find((u) => u.id === 'khanh-hoa')!.parent = 'dong-duong';
    });
    expectProblem({
      file: 'content/units.yaml',
      entry: '"khanh-hoa"',
      field: 'parent',
      message: /unknown unit "dong-duong"/,
    });
  });

  it('a procedure with an unknown field id', () => {
    edit<ProcY[]>('procedures/ho-tich.yaml', (list) => {
      findProc(list, '1.001193').field = 'linh-vuc-la';
    });
    const problems = expectProblem({
      file: hoTich,
      entry: '"1.001193"',
      field: 'field',
      message: /unknown field "linh-vuc-la"/,
    });
    expect(problems).toHaveLength(1);
  });

  it('a YAML syntax error', () => {
    const path = join(root, 'units.yaml');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n- id: xa-hong\n  name: { vi: "Xã hỏng\n  kind: [xa\n`);
    const problems = expectProblem({ file: 'content/units.yaml', entry: '(file)', field: '(file)' });
    // The parser's first line only, not a multi-line dump of the file.
    for (const p of problems) expect(p.message).not.toContain('\n');
  });

  it('a reform result with an unknown scope', () => {
    let indexId = '';
    edit<ReformY>('reform.yaml', (data) => {
      indexId = data.indices[0]!.id;
      data.indices[0]!.results[0]!.scope = 'atlantis';
    });
    const problems = expectProblem({
      file: 'content/reform.yaml',
      entry: `indices "${indexId}" results #1`,
      field: 'scope',
      message: /unknown unit "atlantis"/,
    });
    expect(problems).toHaveLength(1);
  });

  it('a reform result value out of range names the index entry and the nested field', () => {
    edit<ReformY>('reform.yaml', (data) => {
      data.indices[0]!.results[0]!.value = 140;
    });
    const { problems } = problemsOf();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'content/reform.yaml', field: 'results[0].value' });
    expect(problems[0]!.entry).toMatch(/^indices "[a-z-]+" \(#1\)$/);
  });

  it('two primary contacts', () => {
    edit<HotlineY>('hotline.yaml', (data) => {
      const other = data.contacts.find((c) => !c.primary);
      other!.primary = true;
    });
    const problems = expectProblem({
      file: 'content/hotline.yaml',
      entry: 'contacts',
      field: 'primary',
      message: /exactly one/,
    });
    expect(problems).toHaveLength(1);
  });

  it('no primary contact', () => {
    edit<HotlineY>('hotline.yaml', (data) => {
      for (const c of data.contacts) delete c.primary;
    });
    expectProblem({ file: 'content/hotline.yaml', entry: 'contacts', field: 'primary' });
  });

  it('a missing file', () => {
    unlinkSync(join(root, 'hotline.yaml'));
    const problems = expectProblem({
      file: 'content/hotline.yaml',
      entry: '(file)',
      field: '(file)',
      message: /missing/,
    });
    expect(problems).toHaveLength(1);
  });

  it('an empty procedures folder', () => {
    rmSync(join(root, 'procedures'), { recursive: true });
    expectProblem({ file: 'content/procedures', entry: '(folder)', field: '(folder)' });
  });

  it('collects problems from several files in one error', () => {
    edit<ProcY[]>('procedures/ho-tich.yaml', (list) => {
      delete findProc(list, '1.001193').result;
    });
    unlinkSync(join(root, 'hotline.yaml'));
    const { problems, message } = problemsOf();
    expect(problems.map((p) => p.file).sort()).toEqual(['content/hotline.yaml', hoTich]);
    expect(message).toMatch(/^Invalid content \(2 problems\):/);
  });
});
