/**
 * Reads and validates everything in `content/`. The site build, the API start-up and
 * `npm run content:check` all call this, so a broken file stops each of them with the same message,
 * naming the file, the entry and the field (issue #2, "Invalid content fails the build").
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  unit,
  field,
  procedure,
  hotline,
  reform,
  type Unit,
  type Field,
  type Procedure,
  type ContactPoint,
  type ReformIndex,
  type Target,
  type Localized,
} from './content.ts';
import { instrument, type Instrument } from './instrument.ts';

export interface Content {
  units: Unit[];
  fields: Field[];
  procedures: Procedure[];
  contacts: ContactPoint[];
  feedbackSteps: Localized[];
  methods: z.infer<typeof reform>['methods'];
  indices: ReformIndex[];
  targets: Target[];
  /** Survey instruments (content/surveys/*.yaml), one per file. */
  instruments: Instrument[];
}

export interface ContentProblem {
  file: string;
  entry: string;
  field: string;
  message: string;
}

export class ContentError extends Error {
  readonly problems: ContentProblem[];
  constructor(problems: ContentProblem[]) {
    super(
      `Invalid content (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file}: entry ${p.entry}: field "${p.field}": ${p.message}`).join('\n'),
    );
    this.name = 'ContentError';
    this.problems = problems;
  }
}

/** Formats a zod issue path ["fees", 0, "amount_vnd"] as "fees[0].amount_vnd". */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(whole entry)';
}

function entryName(item: unknown, index: number): string {
  if (item && typeof item === 'object') {
    const rec = item as Record<string, unknown>;
    const key = rec.code ?? rec.id;
    if (typeof key === 'string' || typeof key === 'number') return `"${key}" (#${index + 1})`;
  }
  return `#${index + 1}`;
}

/** Marks a file already reported as missing or unparsable, so it is not reported twice. */
const UNREADABLE = Symbol('unreadable');

class Collector {
  problems: ContentProblem[] = [];
  private readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  rel(file: string): string {
    return relative(join(this.root, '..'), file) || file;
  }

  add(file: string, entry: string, fieldPath: string, message: string): void {
    this.problems.push({ file: this.rel(file), entry, field: fieldPath, message });
  }

  read(file: string): unknown {
    if (!existsSync(file)) {
      this.add(file, '(file)', '(file)', 'file is missing');
      return UNREADABLE;
    }
    try {
      return parse(readFileSync(file, 'utf8'));
    } catch (err) {
      this.add(file, '(file)', '(file)', err instanceof Error ? err.message.split('\n')[0]! : 'unreadable');
      return UNREADABLE;
    }
  }

  /** Validates a YAML list entry by entry, so one bad entry names itself and the rest still load. */
  list<T>(file: string, data: unknown, schema: z.ZodType<T>, listPath = ''): T[] {
    if (data === UNREADABLE) return [];
    if (!Array.isArray(data)) {
      this.add(file, '(file)', listPath || '(file)', 'expected a list of entries');
      return [];
    }
    const out: T[] = [];
    data.forEach((item, i) => {
      const parsed = schema.safeParse(item);
      if (parsed.success) out.push(parsed.data);
      else
        for (const issue of parsed.error.issues)
          this.add(file, entryName(item, i), pathText(issue.path), issue.message);
    });
    return out;
  }

  object<T>(file: string, data: unknown, schema: z.ZodType<T>): T | undefined {
    if (data === UNREADABLE) return undefined;
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      // Point at the list entry when the issue is inside one: ["indices", 0, "results", 2, "value"].
      const [top, idx, ...rest] = issue.path;
      let entry = '(file)';
      let fieldPath = pathText(issue.path);
      if (typeof idx === 'number' && data && typeof data === 'object') {
        const list = (data as Record<string, unknown>)[String(top)];
        if (Array.isArray(list)) {
          entry = `${String(top)} ${entryName(list[idx], idx)}`;
          fieldPath = pathText(rest);
        }
      }
      this.add(file, entry, fieldPath, issue.message);
    }
    return undefined;
  }
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

function checkUnique<T>(c: Collector, file: string, items: T[], key: (t: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) c.add(file, `"${k}"`, what, `duplicate ${what} "${k}"`);
    seen.add(k);
  }
}

/**
 * Loads `content/` (or another folder with the same layout, as the tests do with bad fixtures).
 * @example
 *   const content = loadContent('content'); // throws ContentError naming file, entry and field
 */
export function loadContent(root: string): Content {
  const c = new Collector(root);
  const unitsFile = join(root, 'units.yaml');
  const fieldsFile = join(root, 'fields.yaml');
  const hotlineFile = join(root, 'hotline.yaml');
  const reformFile = join(root, 'reform.yaml');

  const units = c.list(unitsFile, c.read(unitsFile), unit);
  const fields = c.list(fieldsFile, c.read(fieldsFile), field);
  const procFiles = yamlFiles(join(root, 'procedures'));
  if (procFiles.length === 0) c.add(join(root, 'procedures'), '(folder)', '(folder)', 'no procedure files');
  const procsByFile = procFiles.map((f) => [f, c.list(f, c.read(f), procedure)] as const);
  const procedures = procsByFile.flatMap(([, list]) => list);
  const hot = c.object(hotlineFile, c.read(hotlineFile), hotline);
  const ref = c.object(reformFile, c.read(reformFile), reform);

  const instruments: Instrument[] = [];
  for (const file of yamlFiles(join(root, 'surveys'))) {
    const parsed = c.object(file, c.read(file), instrument);
    if (parsed) instruments.push(parsed);
  }
  checkUnique(c, join(root, 'surveys'), instruments, (x) => x.id, 'id');

  checkUnique(c, unitsFile, units, (u) => u.id, 'id');
  checkUnique(c, fieldsFile, fields, (f) => f.id, 'id');

  const unitIds = new Set(units.map((u) => u.id));
  const fieldIds = new Set(fields.map((f) => f.id));

  // Units form a tree with successor links (docs/domain.md §3).
  const byId = new Map(units.map((u) => [u.id, u]));
  for (const u of units) {
    if (u.parent && !unitIds.has(u.parent)) c.add(unitsFile, `"${u.id}"`, 'parent', `unknown unit "${u.parent}"`);
    if (u.successor && !unitIds.has(u.successor))
      c.add(unitsFile, `"${u.id}"`, 'successor', `unknown unit "${u.successor}"`);
    if (u.valid_to && u.valid_to < u.valid_from) c.add(unitsFile, `"${u.id}"`, 'valid_to', 'ends before it starts');
    const seen = new Set<string>([u.id]);
    for (let p = u.parent ? byId.get(u.parent) : undefined; p; p = p.parent ? byId.get(p.parent) : undefined) {
      if (seen.has(p.id)) {
        c.add(unitsFile, `"${u.id}"`, 'parent', 'the parent chain loops');
        break;
      }
      seen.add(p.id);
    }
  }

  const codes = new Set<string>();
  for (const [file, list] of procsByFile) {
    for (const p of list) {
      const entry = `"${p.code}"`;
      if (codes.has(p.code)) c.add(file, entry, 'code', `duplicate code "${p.code}"`);
      codes.add(p.code);
      if (!fieldIds.has(p.field)) c.add(file, entry, 'field', `unknown field "${p.field}"`);
      p.units.forEach((id, i) => {
        if (!unitIds.has(id)) c.add(file, entry, `units[${i}]`, `unknown unit "${id}"`);
      });
    }
  }

  if (hot) {
    checkUnique(c, hotlineFile, hot.contacts, (x) => x.id, 'id');
    hot.contacts.forEach((x, i) => {
      if (!unitIds.has(x.unit))
        c.add(hotlineFile, `contacts "${x.id}" (#${i + 1})`, 'unit', `unknown unit "${x.unit}"`);
    });
    if (hot.contacts.filter((x) => x.primary).length !== 1)
      c.add(hotlineFile, 'contacts', 'primary', 'exactly one contact must be primary');
  }

  if (ref) {
    const methodIds = new Set(ref.methods.map((m) => m.id));
    for (const idx of ref.indices) {
      const partIds = new Set(idx.parts.map((p) => p.id));
      idx.results.forEach((r, i) => {
        const entry = `indices "${idx.id}" results #${i + 1}`;
        if (!unitIds.has(r.scope)) c.add(reformFile, entry, 'scope', `unknown unit "${r.scope}"`);
        if (r.method && !methodIds.has(r.method)) c.add(reformFile, entry, 'method', `unknown method "${r.method}"`);
        r.parts.forEach((p, j) => {
          if (!partIds.has(p.id)) c.add(reformFile, entry, `parts[${j}].id`, `unknown part "${p.id}"`);
        });
      });
    }
    checkUnique(c, reformFile, ref.targets, (t) => t.id, 'id');
    ref.targets.forEach((t, i) => {
      const entry = `targets "${t.id}" (#${i + 1})`;
      if (!unitIds.has(t.scope)) c.add(reformFile, entry, 'scope', `unknown unit "${t.scope}"`);
      if (t.to_year < t.from_year) c.add(reformFile, entry, 'to_year', 'ends before it starts');
    });
  }

  if (c.problems.length > 0) throw new ContentError(c.problems);
  return {
    units,
    fields,
    procedures,
    contacts: hot!.contacts,
    feedbackSteps: hot!.feedback_steps,
    methods: ref!.methods,
    indices: ref!.indices,
    targets: ref!.targets,
    instruments,
  };
}
