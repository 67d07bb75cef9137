/**
 * Published feedback cases with known codes and texts (DEMA-…), for tests that assert exact wording
 * on the public pages (e2e/published.spec.ts): the demo data's cases are random. `insertCase` is
 * also what the API tests use to put cases, publications and ratings in place directly. Tests only:
 * real cases go through the lifecycle (api/feedback/service.ts, api/demo/feedback.ts).
 */
import { createHash } from 'node:crypto';
import type { Client, InStatement } from '@libsql/client';

export interface CaseSpec {
  code: string;
  kind: 'phan-anh' | 'kien-nghi';
  subject: 'quy-dinh' | 'hanh-vi' | 'khac';
  unitId: string;
  procedureCode?: string | undefined;
  /** The sender's own texts: never public. */
  title: string;
  content: string;
  status: string;
  receivedAt: string;
  answerDueAt: string;
  answeredAt?: string | undefined;
  closedAt?: string | undefined;
  /** The sender's reply-to data (feedback_contacts): never public. */
  contact?: { name: string; phone: string; email?: string; address?: string } | undefined;
  /** The unit's answer as written (feedback_messages): never public, the publication's is. */
  answerBody?: string | undefined;
  publication?:
    { title: string; content: string; answer: string; senderName?: string | null; publishedAt: string } | undefined;
  rating?: { satisfied: boolean; at: string } | undefined;
  /** Record a move to 'disputed' in the history. */
  disputedAt?: string | undefined;
}

/** A staff account that cannot sign in (its hash matches no password), the publisher of demo cases. */
export async function demoPublisher(client: Client): Promise<number> {
  await client.execute({
    sql: `INSERT OR IGNORE INTO staff (username, display_name, password_hash, active, created_at)
          VALUES ('demo-publisher', 'Demo publisher', '$argon2id$v=19$m=19456,t=2,p=1$disabled$disabled', 0, ?)`,
    args: [new Date(0).toISOString()],
  });
  const rs = await client.execute("SELECT id FROM staff WHERE username = 'demo-publisher'");
  return Number(rs.rows[0]!.id);
}

/** Writes one case with its history, answer, publication and rating as the spec says; returns its id. */
export async function insertCase(client: Client, spec: CaseSpec): Promise<number> {
  const staffId = spec.publication ? await demoPublisher(client) : null;
  const byCode = '(SELECT id FROM feedback WHERE tracking_code = ?)';
  const msg = `(SELECT id FROM feedback_messages WHERE feedback_id = ${byCode} AND purpose = 'answer' ORDER BY id DESC LIMIT 1)`;
  const classifyDue = spec.receivedAt;
  const stmts: InStatement[] = [
    {
      sql: `INSERT INTO feedback (tracking_code, access_key_hash, kind, subject, unit_id, procedure_code, title, content,
              channel, status, publish_content, show_name, received_at, classify_due_at, answer_due_at, answered_at,
              closed_at, locale, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'web', ?, 1, ?, ?, ?, ?, ?, ?, 'vi', ?)`,
      args: [
        spec.code,
        createHash('sha256').update(spec.code).digest('hex'),
        spec.kind,
        spec.subject,
        spec.unitId,
        spec.procedureCode ?? null,
        spec.title,
        spec.content,
        // A dispute is recorded as a move from 'published' (a trigger checks from_status).
        spec.disputedAt ? 'published' : spec.status,
        spec.publication?.senderName ? 1 : 0,
        spec.receivedAt,
        classifyDue,
        spec.answerDueAt,
        spec.answeredAt ?? null,
        spec.closedAt ?? null,
        spec.answeredAt ?? spec.receivedAt,
      ],
    },
    {
      sql: `INSERT INTO feedback_events (feedback_id, at, action, actor, from_status, to_status, unit_id)
            VALUES (${byCode}, ?, 'submit', 'citizen', NULL, 'received', ?)`,
      args: [spec.code, spec.receivedAt, spec.unitId],
    },
  ];
  if (spec.contact)
    stmts.push({
      sql: `INSERT INTO feedback_contacts (feedback_id, name, phone, email, address, retain_until)
            VALUES (${byCode}, ?, ?, ?, ?, '2099-01-01T00:00:00.000Z')`,
      args: [
        spec.code,
        spec.contact.name,
        spec.contact.phone,
        spec.contact.email ?? null,
        spec.contact.address ?? null,
      ],
    });
  if (spec.answeredAt)
    stmts.push({
      sql: `INSERT INTO feedback_messages (feedback_id, at, purpose, author, body) VALUES (${byCode}, ?, 'answer', 'staff', ?)`,
      args: [spec.code, spec.answeredAt, spec.answerBody ?? spec.publication?.answer ?? 'Trả lời.'],
    });
  if (spec.publication)
    stmts.push({
      sql: `INSERT INTO feedback_publications (feedback_id, published_at, staff_id, title, content, answer, sender_name)
            VALUES (${byCode}, ?, ?, ?, ?, ?, ?)`,
      args: [
        spec.code,
        spec.publication.publishedAt,
        staffId,
        spec.publication.title,
        spec.publication.content,
        spec.publication.answer,
        spec.publication.senderName ?? null,
      ],
    });
  if (spec.rating && spec.answeredAt)
    stmts.push({
      sql: `INSERT INTO answer_ratings (feedback_id, message_id, at, satisfied) VALUES (${byCode}, ${msg}, ?, ?)`,
      args: [spec.code, spec.code, spec.rating.at, spec.rating.satisfied ? 1 : 0],
    });
  if (spec.disputedAt)
    stmts.push({
      sql: `INSERT INTO feedback_events (feedback_id, at, action, actor, from_status, to_status, unit_id)
            VALUES (${byCode}, ?, 'dispute', 'citizen', 'published', 'disputed', ?)`,
      args: [spec.code, spec.disputedAt, spec.unitId],
    });
  if (spec.disputedAt)
    stmts.push({ sql: 'UPDATE feedback SET status = ? WHERE tracking_code = ?', args: [spec.status, spec.code] });
  await client.batch(stmts, 'write');
  const rs = await client.execute({ sql: 'SELECT id FROM feedback WHERE tracking_code = ?', args: [spec.code] });
  return Number(rs.rows[0]!.id);
}

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

/**
 * Three published cases (answered on time and satisfied; answered late; disputed) when the
 * database does not have them yet. Returns how many it wrote.
 */
export async function seedPublicFeedbackDemo(client: Client, now: Date): Promise<number> {
  const rs = await client.execute("SELECT count(*) AS n FROM feedback WHERE tracking_code LIKE 'DEMA-%'");
  if (Number(rs.rows[0]!.n) > 0) return 0;
  const t = now.getTime();
  const cases: CaseSpec[] = [
    {
      code: 'DEMA-2345',
      kind: 'phan-anh',
      subject: 'hanh-vi',
      unitId: 'phuong-ninh-hoa',
      procedureCode: '1.001193',
      title: 'Chờ lâu khi đăng ký khai sinh',
      content: 'Nội dung gốc (không công khai).',
      status: 'published',
      receivedAt: iso(t - 30 * DAY),
      answerDueAt: iso(t - 12 * DAY),
      answeredAt: iso(t - 20 * DAY),
      publication: {
        title: 'Chờ lâu khi đăng ký khai sinh',
        content: 'Tôi nộp hồ sơ đăng ký khai sinh cho con nhưng phải chờ hơn một tuần mới có kết quả.',
        answer: 'Phường đã bổ sung một cán bộ tiếp nhận hồ sơ hộ tịch vào buổi sáng; kết quả được trả trong ngày.',
        publishedAt: iso(t - 19 * DAY),
      },
      rating: { satisfied: true, at: iso(t - 18 * DAY) },
    },
    {
      code: 'DEMA-3456',
      kind: 'kien-nghi',
      subject: 'quy-dinh',
      unitId: 'so-y-te',
      title: 'Giấy tờ phải nộp',
      content: 'Nội dung gốc (không công khai).',
      status: 'closed',
      receivedAt: iso(t - 60 * DAY),
      answerDueAt: iso(t - 42 * DAY),
      answeredAt: iso(t - 38 * DAY),
      closedAt: iso(t - 20 * DAY),
      publication: {
        title: 'Bỏ yêu cầu nộp bản sao chứng thực',
        content: 'Đề nghị không yêu cầu nộp bản sao có chứng thực khi đã xuất trình bản chính.',
        answer: 'Sở Y tế tiếp thu; từ tháng tới chỉ yêu cầu xuất trình bản chính để đối chiếu.',
        publishedAt: iso(t - 37 * DAY),
      },
      rating: { satisfied: false, at: iso(t - 36 * DAY) },
    },
    {
      code: 'DEMA-4567',
      kind: 'phan-anh',
      subject: 'quy-dinh',
      unitId: 'khanh-hoa',
      title: 'Lệ phí',
      content: 'Nội dung gốc (không công khai).',
      status: 'disputed',
      receivedAt: iso(t - 25 * DAY),
      answerDueAt: iso(t - 7 * DAY),
      answeredAt: iso(t - 10 * DAY),
      publication: {
        title: 'Thu lệ phí không đúng quy định',
        content: 'Bộ phận một cửa thu lệ phí cao hơn mức niêm yết.',
        answer: 'Mức thu đúng theo nghị quyết của Hội đồng nhân dân tỉnh; đã niêm yết lại cho rõ.',
        senderName: 'Nguyễn Văn Demo',
        publishedAt: iso(t - 9 * DAY),
      },
      rating: { satisfied: false, at: iso(t - 8 * DAY) },
      disputedAt: iso(t - 8 * DAY),
    },
  ];
  for (const c of cases) await insertCase(client, c);
  return cases.length;
}
