/**
 * The site's view of content/: loaded and validated once per build (a broken file fails the build
 * with the file, entry and field), plus the look-ups the pages need.
 */
import { join } from 'node:path';
import { loadContent, type Content } from '../../api/contracts/load-content.ts';
import type { Procedure, Unit } from '../../api/contracts/content.ts';
import { compareVi } from '../../api/contracts/text.ts';

let cached: Content | undefined;

export function content(): Content {
  cached ??= loadContent(join(process.cwd(), 'content'));
  return cached;
}

export function unitById(id: string): Unit {
  const unit = content().units.find((u) => u.id === id);
  if (!unit) throw new Error(`unknown unit ${id}`);
  return unit;
}

/**
 * The province a unit belongs to (`then`: the one named in its records) and the province that has
 * its duties today (`today`: following successors, e.g. Ninh Thuận → Khánh Hòa from 1 July 2025).
 */
export function provinceOf(id: string): { then: string; today: string } {
  let unit = unitById(id);
  while (unit.parent && unitById(unit.parent).kind !== 'quoc-gia') unit = unitById(unit.parent);
  let today = unit;
  while (today.successor) today = unitById(today.successor);
  return { then: unit.id, today: today.id };
}

export function fieldName(id: string): Procedure['name'] {
  const field = content().fields.find((f) => f.id === id);
  if (!field) throw new Error(`unknown field ${id}`);
  return field.name;
}

export function proceduresSorted(): Procedure[] {
  return [...content().procedures].sort((a, b) => compareVi(a.name.vi, b.name.vi));
}

/** Fields, levels and units that have at least one procedure, for the filter links. */
export function procedureFacets(): { fields: string[]; levels: string[]; units: string[] } {
  const procs = content().procedures;
  const fields = [...new Set(procs.map((p) => p.field))];
  const levels = (['tinh', 'huyen', 'xa'] as const).filter((lv) => procs.some((p) => p.level === lv));
  const units = [...new Set(procs.flatMap((p) => p.units))];
  return { fields, levels, units };
}

export function primaryContact() {
  const c = content().contacts.find((x) => x.primary);
  if (!c) throw new Error('no primary contact');
  return c;
}

/** "0258 3 822 000" → "+842583822000" for tel: links. */
export function telHref(phone: string): string {
  const digits = phone.replace(/[^0-9+]/g, '');
  return `tel:${digits.startsWith('0') ? `+84${digits.slice(1)}` : digits}`;
}
