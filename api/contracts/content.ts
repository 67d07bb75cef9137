/**
 * Schemas of the editable data in `content/` (docs/architecture.md §1: content is data, validated at build and
 * start). One module knows the shape of every file so the site build, the API start-up and the
 * `content:check` script all reject the same mistakes with the same message.
 */
import { z } from 'zod';

/** Text in every locale we publish. Vietnamese and English are required (the site is complete in
 * both); further locales (e.g. Raglai, Chăm) may be added key by key and fall back to Vietnamese. */
export const localized = z
  .object({ vi: z.string().trim().min(1), en: z.string().trim().min(1) })
  .catchall(z.string().trim().min(1));
export type Localized = z.infer<typeof localized>;

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'slug');
const isoDate = z.iso.date();
/** Where a figure or fact comes from: a plan (docs/domain.md §1), a law, or "sample" when we could not
 * confirm it (docs/domain.md §8: mark any figure not taken from a public source as sample data). */
export const source = z.object({
  ref: z.string().trim().min(1),
  sample: z.boolean().default(false),
});

export const unitKinds = [
  'quoc-gia', // the national level, only for national benchmark figures
  'tinh', // province
  'so', // department (sở, ban, ngành) of the province
  'huyen', // district (abolished 1 July 2025)
  'thi-xa', // district-level town
  'thanh-pho', // city
  'xa', // commune
  'phuong', // ward
  'thi-tran', // township (abolished with districts)
  'su-nghiep', // public service unit (school, hospital)
  'khac', // other agency (e.g. provincial public administration service centre)
] as const;

export const unit = z.object({
  id: slug,
  parent: slug.optional(),
  kind: z.enum(unitKinds),
  name: localized,
  /** Date the unit started to exist under this name (docs/domain.md §3: units change; old results keep
   * their own unit name). */
  valid_from: isoDate,
  valid_to: isoDate.optional(),
  /** The unit that took over its duties when it ended. */
  successor: slug.optional(),
  source: source.optional(),
});
export type Unit = z.infer<typeof unit>;

export const field = z.object({ id: slug, name: localized });
export type Field = z.infer<typeof field>;

export const procedureLevels = ['tinh', 'huyen', 'xa'] as const;
/** NĐ 42/2022 online levels; older plans say "mức độ 2/3/4" which we keep beside them (docs/domain.md §4). */
export const onlineLevels = ['toan-trinh', 'mot-phan', 'khong'] as const;

export const procedure = z.object({
  /** National procedure code (mã TTHC) as in the national database, e.g. "1.001193". */
  code: z.string().regex(/^[0-9]\.[0-9]{6}$/, 'code'),
  name: localized,
  field: slug,
  level: z.enum(procedureLevels),
  units: z.array(slug).min(1),
  /** Statutory processing time in working days; 0 means "within the day" (trong ngày). */
  processing_days: z.number().min(0).max(365),
  processing_note: localized.optional(),
  fees: z
    .array(
      z.object({
        name: localized,
        /** Amount in đồng; 0 means free of charge. */
        amount_vnd: z.number().int().min(0),
        note: localized.optional(),
      }),
    )
    .default([]),
  components: z
    .array(
      z.object({
        name: localized,
        originals: z.number().int().min(0).default(0),
        copies: z.number().int().min(0).default(0),
      }),
    )
    .min(1),
  steps: z.array(localized).min(1),
  forms: z.array(z.object({ code: z.string().trim().min(1).optional(), name: localized })).default([]),
  result: localized,
  legal_basis: z.array(localized).min(1),
  online: z.object({
    level: z.enum(onlineLevels),
    legacy_level: z.union([z.literal(2), z.literal(3), z.literal(4)]).optional(),
  }),
  postal: z.object({
    available: z.boolean(),
    note: localized.optional(),
  }),
  /** "4 tại chỗ": received, appraised, approved and returned on the spot. */
  four_on_site: z.boolean().default(false),
  source: source,
});
export type Procedure = z.infer<typeof procedure>;

export const contactPoint = z.object({
  id: slug,
  unit: slug,
  name: localized,
  phones: z.array(z.string().regex(/^[0-9 .+()-]{3,20}$/, 'phone')).min(1),
  email: z.email().optional(),
  address: localized,
  hours: localized,
  /** Marks the province-wide hotline shown at the top of every page. */
  primary: z.boolean().default(false),
  source: source,
});
export type ContactPoint = z.infer<typeof contactPoint>;

export const hotline = z.object({
  contacts: z.array(contactPoint).min(1),
  /** The feedback procedure in plain words (docs/domain.md §7), one step per item. */
  feedback_steps: z.array(localized).min(1),
});

export const methods = z.array(
  z.object({
    id: slug,
    name: localized,
    /** First year of results produced with this method. */
    from_year: z.number().int(),
    to_year: z.number().int().optional(),
    source: source,
  }),
);

const indexResult = z.object({
  scope: slug, // a unit id, or "viet-nam" for national figures
  year: z.number().int().min(2000).max(2100),
  value: z.number().min(0).max(100),
  rank: z.number().int().min(1).optional(),
  of: z.number().int().min(1).optional(),
  method: slug.optional(),
  /** Breakdown by field (PAR INDEX) or factor (SIPAS); value null when the source does not state it. */
  parts: z.array(z.object({ id: slug, value: z.number().min(0).max(100).nullable() })).default([]),
  source: source,
});

export const reformIndex = z.object({
  id: slug,
  name: localized,
  description: localized,
  unit_of_measure: z.enum(['percent', 'points']),
  /** `short` names the bar of a field on a phone-width chart; the table keeps the full name. */
  parts: z.array(z.object({ id: slug, name: localized, short: localized.optional() })).default([]),
  results: z.array(indexResult).min(1),
});
export type ReformIndex = z.infer<typeof reformIndex>;

export const target = z.object({
  id: slug,
  /** What the target measures; free slug so plans can add indicators without code. */
  indicator: slug,
  scope: slug,
  from_year: z.number().int(),
  to_year: z.number().int(),
  comparator: z.enum(['>', '>=', '<', '<=', '=']),
  value: z.number(),
  unit_of_measure: z.enum(['percent', 'rank', 'count']),
  text: localized,
  source: source,
});
export type Target = z.infer<typeof target>;

export const reform = z.object({
  methods: methods,
  indices: z.array(reformIndex).min(1),
  targets: z.array(target).min(1),
});
