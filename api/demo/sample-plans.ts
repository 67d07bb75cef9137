/**
 * The demo's random survey sample plans (issue #10 §2; db/sample-plans.ts): for a few units that
 * register dossiers, the plans of the demo's last two months, as a one-stop system asking for a
 * sample would have made them. Seeds come from the demo's seeded generator, so the same demo gives
 * the same plans; real plans draw their seed from the system's random source.
 */
import type { Db } from '../../db/client.ts';
import { samplePlanFor } from '../../db/sample-plans.ts';
import { vnDay } from '../contracts/vn-time.ts';
import { mulberry32 } from './generate.ts';

/** Units of the demo whose one-stop systems use sampling. */
export const DEMO_SAMPLED_UNITS = ['phuong-ninh-hoa', 'so-y-te', 'xa-ninh-xuan'] as const;

const previousMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 2, 1)).toISOString().slice(0, 7);
};

/** Writes the plans; returns how many exist afterwards (units without the month's data get a plan too). */
export async function generateDemoSamplePlans(db: Db, seed: number, to: Date): Promise<number> {
  const rnd = mulberry32(seed * 7919 + 17);
  const hex = () =>
    Array.from({ length: 32 }, () =>
      Math.floor(rnd() * 256)
        .toString(16)
        .padStart(2, '0'),
    ).join('');
  const month = vnDay(to).slice(0, 7);
  let made = 0;
  for (const m of [previousMonth(month), month])
    for (const unit of DEMO_SAMPLED_UNITS) {
      await samplePlanFor(db.client, unit, m, { margin: 5, now: to, seed: hex() });
      made++;
    }
  return made;
}
