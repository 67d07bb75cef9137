/**
 * Demo feedback cases (issue #4) written through the real lifecycle: each case is created by the
 * intake (api/feedback/intake.ts) and moved by the same service the API uses (takeStep), on a
 * simulated clock, so the inbox, the tracking page, /cong-khai/, Open311 and the statistics show
 * cases in every status, some overdue, some disputed — with histories that the rules allow.
 * Deterministic for a seed. Senders get phone numbers only (no e-mail), so a demo sends no mail.
 */
import type { Db } from '../../db/client.ts';
import type { Content } from '../contracts/load-content.ts';
import { configWith, type Config } from '../env.ts';
import type { Deps } from '../app-env.ts';
import type { StaffActionInput, CitizenActionInput } from '../contracts/feedback-actions.ts';
import { createCase } from '../feedback/intake.ts';
import { takeStep, type StepActor } from '../feedback/service.ts';
import { redact } from '../redaction/redact.ts';
import { findCaseByCode, type CaseRow } from '../../db/feedback-cases.ts';
import { createStaff, findStaffByUsername } from '../../db/staff.ts';
import { DEMO_STAFF } from '../staff/demo.ts';
import { generatePassword, hashPassword } from '../staff/auth.ts';
import { mulberry32 } from './generate.ts';

const DAY = 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

/** Subjects people write about, with an answer a unit might give. Sample texts, not real cases. */
const TOPICS: readonly {
  kind: 'phan-anh' | 'kien-nghi';
  subject: 'quy-dinh' | 'hanh-vi' | 'khac';
  title: string;
  content: string;
  answer: string;
}[] = [
  {
    kind: 'phan-anh',
    subject: 'hanh-vi',
    title: 'Hồ sơ bị hẹn trả kết quả nhiều lần',
    content:
      'Tôi là {name}, nộp hồ sơ đăng ký biến động đất đai tại bộ phận một cửa. Đến hạn trả kết quả, cán bộ hẹn lại hai lần mà không có thư xin lỗi. Đề nghị xem xét. Số điện thoại của tôi: {phone}.',
    answer:
      'UBND đã kiểm tra: hồ sơ chậm do phải xác minh ranh giới thửa đất. Đơn vị đã gửi Phiếu xin lỗi và hẹn lại ngày trả kết quả, trả kết quả ngày {date} và nhắc nhở cán bộ tiếp nhận thực hiện đúng quy định về Giấy tiếp nhận hồ sơ và hẹn trả kết quả.',
  },
  {
    kind: 'phan-anh',
    subject: 'hanh-vi',
    title: 'Cán bộ yêu cầu nộp thêm giấy tờ không có trong quy định',
    content:
      'Khi làm thủ tục đăng ký khai sinh cho con, tôi bị yêu cầu nộp thêm bản sao sổ hộ khẩu dù thủ tục không quy định. Tôi là {name}, ở {address}.',
    answer:
      'Qua xác minh, việc yêu cầu bản sao sổ hộ khẩu là không đúng quy định. Đơn vị đã chấn chỉnh, phổ biến lại thành phần hồ sơ cho toàn bộ công chức tiếp nhận và niêm yết công khai tại bộ phận một cửa.',
  },
  {
    kind: 'kien-nghi',
    subject: 'quy-dinh',
    title: 'Đề nghị cho nộp hồ sơ trực tuyến toàn trình',
    content:
      'Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ vẫn phải nộp bản giấy dù đã nộp trực tuyến. Đề nghị cho thực hiện trực tuyến toàn trình để giảm đi lại.',
    answer:
      'Kiến nghị đã được ghi nhận và chuyển Sở Xây dựng tổng hợp. Từ quý tới thủ tục được cung cấp trực tuyến toàn trình trên Cổng dịch vụ công; người dân không phải nộp lại bản giấy.',
  },
  {
    kind: 'phan-anh',
    subject: 'khac',
    title: 'Phòng chờ bộ phận một cửa thiếu ghế ngồi',
    content:
      'Buổi sáng thứ Hai rất đông người, phòng chờ không đủ ghế, người cao tuổi phải đứng lâu. Mong được bổ sung.',
    answer:
      'Đơn vị đã bổ sung 20 ghế chờ, bố trí khu vực ưu tiên cho người cao tuổi, phụ nữ mang thai và người khuyết tật, đồng thời tăng thêm một quầy tiếp nhận vào sáng thứ Hai.',
  },
  {
    kind: 'kien-nghi',
    subject: 'khac',
    title: 'Đề nghị có số thứ tự qua điện thoại',
    content: 'Đề nghị cho lấy số thứ tự qua điện thoại hoặc tin nhắn để không phải chờ lâu tại trụ sở.',
    answer:
      'Cảm ơn ông/bà đã góp ý. Hệ thống lấy số trực tuyến đang được thử nghiệm; khi vận hành chính thức, đơn vị sẽ thông báo trên trang này và tại bộ phận một cửa.',
  },
  {
    kind: 'phan-anh',
    subject: 'quy-dinh',
    title: 'Phí sao y chứng thực niêm yết không rõ ràng',
    content:
      'Bảng niêm yết phí chứng thực bản sao không ghi rõ mức thu theo trang. Tôi bị thu khác nhau ở hai lần. Liên hệ: {phone}.',
    answer:
      'Mức thu phí chứng thực bản sao thực hiện theo Thông tư của Bộ Tài chính. Đơn vị đã niêm yết lại bảng phí rõ ràng theo từng trang và hoàn lại khoản thu chênh lệch cho người dân.',
  },
  {
    kind: 'phan-anh',
    subject: 'hanh-vi',
    title: 'Không nhận được tin nhắn báo kết quả',
    content:
      'Hồ sơ cấp đổi giấy phép lái xe của tôi đã có kết quả nhưng tôi không nhận được tin nhắn, phải tự đến hỏi nhiều lần.',
    answer:
      'Lỗi do số điện thoại nhập sai khi tiếp nhận. Đơn vị đã cập nhật lại và bổ sung bước kiểm tra số điện thoại với người nộp trước khi in Giấy tiếp nhận hồ sơ và hẹn trả kết quả.',
  },
  {
    kind: 'kien-nghi',
    subject: 'quy-dinh',
    title: 'Đề nghị giảm thời gian giải quyết thủ tục đăng ký kinh doanh',
    content: 'Thời gian giải quyết đăng ký hộ kinh doanh còn dài so với các tỉnh lân cận. Đề nghị rút ngắn.',
    answer:
      'UBND tỉnh đã ban hành quyết định cắt giảm thời gian giải quyết thủ tục đăng ký hộ kinh doanh từ 3 ngày làm việc xuống 2 ngày làm việc.',
  },
];

const NAMES = [
  'Nguyễn Văn Hùng',
  'Trần Thị Mai',
  'Lê Minh Tuấn',
  'Phạm Thị Lan',
  'Hoàng Văn Nam',
  'Võ Thị Hoa',
  'Đặng Quốc Bảo',
  'Bùi Thị Thu',
];
const STREETS = ['Trần Phú', 'Lê Thánh Tôn', 'Thống Nhất', 'Hùng Vương', 'Nguyễn Trãi', '23 Tháng 10'];

export interface DemoFeedbackOptions {
  seed: number;
  from: Date;
  to: Date;
  /** Cases to create over the whole range. */
  count?: number;
}

/** The demo staff accounts, created with unusable passwords when missing (npm start gives them new ones). */
async function demoStaffIds(db: Db, now: Date): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const d of DEMO_STAFF) {
    const existing = await findStaffByUsername(db.client, d.username);
    ids[d.role] =
      existing?.id ??
      (await createStaff(db.client, {
        username: d.username,
        displayName: d.displayName,
        passwordHash: await hashPassword(generatePassword()),
        roles: [{ role: d.role, unit: d.unit }],
        now,
      }));
  }
  return ids;
}

/** A time on a working day's office hours, `days` calendar days after `t` (weekends skipped). */
function later(t: Date, days: number, rnd: () => number): Date {
  let d = new Date(t.getTime() + days * DAY);
  // Saturday/Sunday in Việt Nam time → the next Monday.
  const vnDay = new Date(d.getTime() + 7 * HOUR).getUTCDay();
  if (vnDay === 6) d = new Date(d.getTime() + 2 * DAY);
  if (vnDay === 0) d = new Date(d.getTime() + DAY);
  // 08:00–16:30 Việt Nam time.
  const vnMidnight = Math.floor((d.getTime() + 7 * HOUR) / DAY) * DAY - 7 * HOUR;
  return new Date(Math.max(d.getTime(), vnMidnight + 8 * HOUR + Math.floor(rnd() * 8.5 * HOUR)));
}

/**
 * Writes about `count` cases received between `from` and `to`, each taken as far along its
 * lifecycle as its age allows. Returns how many cases ended in each status.
 */
export async function generateDemoFeedback(
  db: Db,
  content: Pick<Content, 'units' | 'procedures'>,
  config: Pick<Config, 'CONTENT_DIR'> & Partial<Config>,
  options: DemoFeedbackOptions,
): Promise<Record<string, number>> {
  const rnd = mulberry32(options.seed * 7919 + 17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  let clock = options.from;
  const deps: Deps = {
    db,
    // Defaults for what the demo does not set (the links' origin): every case gets a link now.
    config: { ...configWith({}), ...config },
    log: () => {},
    now: () => clock,
  };
  const staff = await demoStaffIds(db, options.from);
  const count = options.count ?? 240;
  const span = options.to.getTime() - options.from.getTime();
  // Most spread over the range; a sixth in the last four weeks, so the inbox has open work.
  const recent = Math.round(count / 6);
  const times = [
    ...Array.from({ length: count - recent }, () => options.from.getTime() + rnd() * span),
    ...Array.from({ length: recent }, () => options.to.getTime() - rnd() * 28 * DAY),
  ].sort((a, b) => a - b);
  const end = options.to.getTime();

  for (const [i, t0] of times.entries()) {
    const receivedAt = later(new Date(t0), 0, rnd);
    if (receivedAt.getTime() >= end) continue;
    const day = receivedAt.toISOString().slice(0, 10);
    // Units that exist at receipt and for the two months a case may take: a case is not moved to
    // a successor in the demo.
    const until = new Date(receivedAt.getTime() + 60 * DAY).toISOString().slice(0, 10);
    const active = content.units.filter(
      (u) => u.kind !== 'quoc-gia' && u.valid_from <= day && (u.valid_to === undefined || u.valid_to >= until),
    );
    // A third of the cases are the demo commune's, so its handler's inbox is never empty.
    const ninhHoa = active.find((u) => u.id === 'phuong-ninh-hoa');
    const unit = ninhHoa && rnd() < 0.35 ? ninhHoa : pick(active);
    const topic = pick(TOPICS);
    const name = pick(NAMES);
    const phone = `09${String(10_000_000 + Math.floor(rnd() * 89_999_999))}`;
    const address = `${1 + Math.floor(rnd() * 200)} ${pick(STREETS)}, ${unit.name.vi}`;
    const fill = (s: string) =>
      s
        .replaceAll('{name}', name)
        .replaceAll('{phone}', phone)
        .replaceAll('{address}', address)
        .replaceAll('{date}', day.split('-').reverse().join('/'));
    const publishContent = rnd() < 0.75;
    const showName = publishContent && rnd() < 0.1;
    clock = receivedAt;
    const channel = rnd() < 0.8 ? 'web' : pick(['hotline', 'letter', 'email', 'in-person'] as const);
    const created = await createCase(
      deps,
      {
        kind: topic.kind,
        subject: topic.subject,
        unit: unit.id,
        unitName: unit.name.vi,
        // No procedure: a random one would not match the topic's text.
        procedure: undefined,
        title: topic.title,
        content: fill(topic.content),
        channel,
        publishContent,
        showName,
        locale: rnd() < 0.9 ? 'vi' : 'en',
        // Generated senders are told nothing: no SMS for a made-up number (docs/sms.md).
        contact: { name, phone, email: undefined, address: rnd() < 0.5 ? address : undefined, notify: 'none' },
        files: [],
        enteredBy: channel === 'web' ? { actor: 'citizen' } : { actor: 'staff', staffId: staff.coordinator! },
        idempotencyKey: channel === 'web' ? `demo-feedback-${options.seed}-${i}` : null,
        requestHash: null,
        receivedAt,
      },
      [],
    );
    let c: CaseRow = (await findCaseByCode(db.client, created.trackingCode))!;
    let t = receivedAt;

    /** One step at time t + days, unless that is in the future; false when the case stops here. */
    const step = async (days: number, actor: StepActor, input: StaffActionInput | CitizenActionInput) => {
      const at = later(t, days, rnd);
      if (at.getTime() >= end) return false;
      t = at;
      clock = at;
      // The demo coordinator covers the province: every assignment is within their units.
      c = await takeStep(deps, c, { actor, input, unitInScope: async () => true });
      return true;
    };
    const coordinator: StepActor = { kind: 'staff', staffId: staff.coordinator! };
    const handlerActor: StepActor = { kind: 'staff', staffId: staff.handler! };
    const publisher: StepActor = { kind: 'staff', staffId: staff.publisher! };
    const citizen: StepActor = { kind: 'citizen' };

    // Some cases wait too long for classification: the overdue ones of the inbox.
    if (!(await step(rnd() < 0.1 ? 6 : rnd() * 3, coordinator, { action: 'classify' }))) continue;
    const fate = rnd();
    if (fate < 0.05) {
      await step(0, coordinator, {
        action: 'reject',
        note: 'Nội dung không thuộc phạm vi phản ánh, kiến nghị về quy định hành chính; đề nghị gửi đơn khiếu nại theo Luật Khiếu nại.',
      });
      continue;
    }
    if (fate < 0.08) {
      await step(0, coordinator, {
        action: 'transfer',
        outside_agency: 'Bảo hiểm xã hội tỉnh',
        note: 'Nội dung thuộc thẩm quyền của cơ quan bảo hiểm xã hội.',
      });
      continue;
    }
    if (!(await step(rnd(), coordinator, { action: 'assign', unit: c.unitId }))) continue;
    if (!(await step(rnd() * 2, handlerActor, { action: 'start' }))) continue;
    if (rnd() < 0.12) {
      if (
        !(await step(1 + rnd() * 2, handlerActor, {
          action: 'request-info',
          note: 'Đề nghị cung cấp số biên nhận hồ sơ và ngày nộp.',
        }))
      )
        continue;
      if (
        !(await step(1 + rnd() * 3, citizen, {
          action: 'provide-info',
          body: 'Số biên nhận 000.00.12.H35-250301-0042, nộp ngày 01/3.',
        }))
      )
        continue;
    }
    if (rnd() < 0.1 && c.extensionCount === 0)
      if (
        !(await step(rnd() * 3, handlerActor, { action: 'extend', days: 5, note: 'Cần xác minh thực tế tại địa bàn.' }))
      )
        continue;
    // Most answers within the period; a fifth later than the deadline.
    if (
      !(await step(rnd() < 0.2 ? 14 + rnd() * 10 : 2 + rnd() * 8, handlerActor, {
        action: 'answer',
        body: fill(topic.answer),
      }))
    )
      continue;
    if (publishContent && rnd() < 0.85) {
      const sender = { senderName: name, senderPhone: phone, senderAddress: address };
      const answer = (
        await db.client.execute({
          sql: "SELECT body FROM feedback_messages WHERE feedback_id = ? AND purpose = 'answer' ORDER BY id DESC LIMIT 1",
          args: [c.id],
        })
      ).rows[0]!.body;
      if (
        !(await step(rnd(), publisher, {
          action: 'publish',
          title: redact(c.title, sender).text,
          content: redact(c.content, sender).text,
          answer: redact(String(answer), sender).text,
          show_name: showName,
        }))
      )
        continue;
    }
    if (rnd() < 0.6) {
      const satisfied = rnd() < 0.68;
      if (
        !(await step(rnd() * 4, citizen, {
          action: 'rate',
          satisfied,
          reasons: satisfied ? [] : [pick(['chung-chung', 'thieu-bang-chung', 'cham', 'khac'])],
        }))
      )
        continue;
      if (!satisfied && rnd() < 0.35) {
        if (
          !(await step(1 + rnd() * 5, citizen, {
            action: 'dispute',
            body: 'Câu trả lời chưa giải quyết được vấn đề tôi nêu.',
          }))
        )
          continue;
        if (
          !(await step(1 + rnd() * 3, coordinator, {
            action: 'reopen',
            note: 'Giao xem xét lại theo đề nghị của người gửi.',
          }))
        )
          continue;
        if (
          !(await step(3 + rnd() * 6, handlerActor, {
            action: 'answer',
            body: `${fill(topic.answer)} Đơn vị đã xem xét lại và giữ nguyên kết quả, kèm căn cứ pháp lý.`,
          }))
        )
          continue;
        continue;
      }
    }
    // Closed once the re-examination window has passed.
    await step(16 + rnd() * 5, coordinator, { action: 'close' });
  }

  const rs = await db.client.execute('SELECT status, count(*) AS n FROM feedback GROUP BY status ORDER BY status');
  return Object.fromEntries(rs.rows.map((r) => [String(r.status), Number(r.n)]));
}
