/**
 * Creating a feedback case (issue #4), for the sender's web form and for staff entering feedback
 * received by phone, letter, e-mail or in person (QĐ 31/2021/QĐ-TTg art. 43): a short tracking
 * code, a secret access key shown once and stored hashed, working-day deadlines, the contact data
 * apart, the files, the version of the privacy notice in force, and the receipt e-mail or SMS with a
 * magic link (docs/sms.md) — all in one batch.
 */
import type { InStatement } from '@libsql/client';
import type { Deps } from '../app-env.ts';
import { groupedSecret } from '../contracts/feedback.ts';
import { newShortSecret, unambiguous } from './short-secret.ts';
import { foldForSearch } from '../contracts/text.ts';
import type { CleanAttachment } from '../attachments/attachments.ts';
import { deadlinesFor } from './deadlines.ts';
import { currentNotice } from '../contracts/privacy.ts';
import { newCaseLink, receiptStatements } from './notify.ts';
import { redactedFields } from './redacted-search.ts';
import { feedbackStatements, RECEIVING_UNIT } from '../../db/feedback.ts';
import { attachmentInsertStatement } from '../../db/attachments.ts';
import { committerFor } from '../../db/group-commit.ts';
import { sha256Hex } from '../../db/dossiers.ts';
import { constraintOf } from '../../db/constraint.ts';

/** How long the sender's contact data is kept after receipt, told in the privacy notice. ASSUMPTION
 * to verify against the archive rules for PAKN records; Luật 91/2025/QH15 asks to keep personal
 * data no longer than its purpose needs (docs/privacy.md). */
export const CONTACT_RETENTION_YEARS = 3;
/** Tries to find an unused tracking code: 31^8 ≈ 8.5e11 codes, so a second try is already rare. */
const CODE_TRIES = 5;

/** "XXXX-XXXX" from the unambiguous alphabet. */
export function newTrackingCode(): string {
  const s = unambiguous(8);
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

export interface CaseSpec {
  kind: string;
  subject: string;
  unit: string | undefined;
  unitName: string;
  procedure: string | undefined;
  title: string;
  content: string;
  channel: string;
  publishContent: boolean;
  showName: boolean;
  locale: string;
  contact: {
    name: string;
    phone: string | undefined;
    email: string | undefined;
    address: string | undefined;
    /** The channel the sender chose for news of the case (migration 0009); absent: the default (docs/sms.md). */
    notify?: 'email' | 'sms' | 'none' | undefined;
  };
  files: readonly CleanAttachment[];
  enteredBy: { actor: 'citizen' } | { actor: 'staff'; staffId: number };
  idempotencyKey: string | null;
  requestHash: string | null;
  receivedAt: Date;
}

export interface CreatedCase {
  trackingCode: string;
  accessKey: string;
  /** Opens the case without the key (api/feedback/notify.ts `newCaseLink`); shown once like the key. */
  linkUrl: string;
  classifyDueAt: Date;
  answerDueAt: Date;
}

/** Which UNIQUE constraint a failed batch broke. */
export function conflictOf(err: unknown): 'idempotency' | 'code' | 'pow' | undefined {
  const text = constraintOf(err);
  if (text === undefined) return undefined;
  if (text.includes('feedback.idempotency_key')) return 'idempotency';
  if (text.includes('feedback.tracking_code')) return 'code';
  if (text.includes('pow_used')) return 'pow';
  return undefined;
}

/**
 * Stores a new case with `extra` statements (rate-limit hit, proof-of-work guard, audit row), given
 * as a list or made for the tracking code the case gets.
 * Throws the batch's error on an idempotency or proof-of-work conflict (see `conflictOf`).
 */
export async function createCase(
  deps: Deps,
  spec: CaseSpec,
  extra: readonly InStatement[] | ((trackingCode: string) => InStatement[]),
): Promise<CreatedCase> {
  const at = spec.receivedAt;
  const d = deadlinesFor(deps.config.CONTENT_DIR, spec.kind, spec.subject);
  // The answer period counts from classification, which has not happened yet: the first answer
  // deadline assumes classification on its last allowed day; classifying recomputes it.
  const classifyDueAt = d.classifyDue(at);
  const answerDueAt = d.answerDueAtReceipt(at);
  const retainUntil = new Date(at);
  retainUntil.setUTCFullYear(retainUntil.getUTCFullYear() + CONTACT_RETENTION_YEARS);
  const accessKey = newShortSecret();
  for (let attempt = 1; ; attempt++) {
    const trackingCode = newTrackingCode();
    // Every case gets a link that opens it without the key: on the receipt page, in the receipt mail.
    const link = newCaseLink(deps, at, { trackingCode }, spec.locale);
    const statements: InStatement[] = [
      ...feedbackStatements({
        trackingCode,
        accessKeyHash: sha256Hex(accessKey),
        kind: spec.kind,
        subject: spec.subject,
        unitId: spec.unit ?? RECEIVING_UNIT,
        procedureCode: spec.procedure,
        title: spec.title,
        content: spec.content,
        channel: spec.channel,
        publishContent: spec.publishContent,
        showName: spec.showName,
        receivedAt: at,
        classifyDueAt,
        answerDueAt,
        idempotencyKey: spec.idempotencyKey,
        requestHash: spec.requestHash,
        locale: spec.locale,
        searchText: foldForSearch(`${trackingCode} ${spec.title} ${spec.content}`),
        ...redactedFields(trackingCode, spec.title, spec.content, {
          name: spec.contact.name,
          phone: spec.contact.phone ?? null,
          email: spec.contact.email ?? null,
          address: spec.contact.address ?? null,
        }),
        enteredBy: spec.enteredBy,
        contact: spec.contact,
        retainUntil,
        // The notice the sender was shown (web form) or told (staff entry): the one in force now.
        noticeVersion: currentNotice(deps.config.CONTENT_DIR).id,
      }),
      ...spec.files.map((file) =>
        attachmentInsertStatement({
          feedbackByTrackingCode: trackingCode,
          messageId: null,
          author: 'citizen',
          file,
          at,
        }),
      ),
      link.statement,
      ...(await receiptStatements(
        deps,
        {
          trackingCode,
          locale: spec.locale,
          email: spec.contact.email,
          phone: spec.contact.phone,
          notify: spec.contact.notify,
          answerDueAt,
          unitName: spec.unitName,
        },
        link.url,
        at,
      )),
      ...(typeof extra === 'function' ? extra(trackingCode) : extra),
    ];
    try {
      // Joined with other writes arriving meanwhile: one fsync for many (db/group-commit.ts).
      await committerFor(deps.db.client).write(statements);
      return { trackingCode, accessKey: groupedSecret(accessKey), linkUrl: link.url, classifyDueAt, answerDueAt };
    } catch (err) {
      if (conflictOf(err) === 'code' && attempt < CODE_TRIES) continue;
      throw err;
    }
  }
}
