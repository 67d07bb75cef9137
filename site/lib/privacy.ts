/**
 * The privacy notice of the current version, in one language, with its placeholders filled
 * (content/privacy/notice.yaml; issue #7 part 4, docs/privacy.md). Server only.
 */
import { join } from 'node:path';
import { currentNotice, fillNotice, loadPrivacyRights } from '../../api/contracts/privacy.ts';
import { CONTACT_RETENTION_YEARS } from './feedback.ts';

export interface NoticeView {
  id: string;
  title: string;
  law: string;
  controller: string;
  purposesTitle: string;
  purposes: { id: string; purpose: string; basis: string; data: string }[];
  sections: { id: string; heading: string; items: string[] }[];
  consent: string;
}

export function privacyNotice(locale: string): NoticeView {
  const root = join(process.cwd(), 'content');
  const v = currentNotice(root);
  const days = rightsDays();
  const lang = locale === 'en' ? 'en' : 'vi';
  const f = (t: { vi: string; en: string }) =>
    fillNotice(t[lang], { years: CONTACT_RETENTION_YEARS, days, version: v.id });
  return {
    id: v.id,
    title: f(v.title),
    law: f(v.law),
    controller: f(v.controller),
    purposesTitle: f(v.purposes_title),
    purposes: v.purposes.map((p) => ({ id: p.id, purpose: f(p.purpose), basis: f(p.basis), data: f(p.data) })),
    sections: v.sections.map((s) => ({ id: s.id, heading: f(s.heading), items: s.items.map(f) })),
    consent: f(v.consent),
  };
}

/** The longest response period of a request, in working days, told on the tracking page. */
export function rightsDays(): number {
  const r = loadPrivacyRights(join(process.cwd(), 'content')).response_working_days;
  return Math.max(r.correct, r.delete);
}
