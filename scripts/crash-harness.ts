/**
 * `npm run test:crash [-- --responses 5000 --feedback 500 --kills 20 --concurrency 16]` (issue #3
 * "No lost answers", issue #4 "Nothing lost"): the real server (scripts/bench-server.ts, a child process on a temp database, with
 * POW_REQUIRED=0 and RATE_LIMIT_MAX very high so nothing but crashes gets in the way) receives
 * one-tap ratings from `--concurrency` clients, each with its own Idempotency-Key, and is killed
 * with SIGKILL at random moments. After each restart `PRAGMA integrity_check` must say ok; every
 * request not yet acknowledged is sent again, same key and same body, until it is. At the end:
 * every acknowledged key is stored exactly once under the id it was acknowledged with (0 lost),
 * no key twice (0 duplicates), rows = distinct keys = responses sent, and the `_responses` rollup of
 * the province (khanh-hoa subtree) equals the number of responses in that subtree. Feedback cases
 * (`--feedback`, sent among the ratings the same way) must each be stored once under the tracking
 * code they were acknowledged with, whole: one contact row, one 'submit' event, one receipt e-mail.
 * Every second case gives only a phone and asks for SMS (issue #11 part 1): its receipt goes through
 * a real SMPP server started here (api/sms/test-gateway.ts), which outlives the kills; the server's
 * SMS worker is killed with it, mid-message too. At the end every acknowledged phone case has had
 * its receipt accepted by the gateway exactly once, every part of it once (0 lost, 0 sent twice).
 * Prints the figures; exits 1 on any failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDb } from '../db/client.ts';
import { loadContent } from '../api/contracts/load-content.ts';
import { instrumentVersion } from '../api/contracts/instrument.ts';
import { mulberry32 } from '../api/demo/generate.ts';
import { LOAD_TEST_ENV, startServerChild, stopServerChild, type ServerChild } from './server-child.ts';
import { subtreeCte } from '../db/units.ts';
import { messagesOf, startTestGateway } from '../api/sms/test-gateway.ts';

const { values } = parseArgs({
  options: {
    responses: { type: 'string', default: '5000' },
    feedback: { type: 'string', default: '500' },
    kills: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(values.responses);
const FEEDBACK = Number(values.feedback);
const KILLS = Number(values.kills);
const CONCURRENCY = Number(values.concurrency);
const SEED = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
if (![TOTAL, FEEDBACK, KILLS, CONCURRENCY, SEED].every((n) => Number.isInteger(n) && n >= 0) || CONCURRENCY < 1) {
  console.error(
    'usage: node scripts/crash-harness.ts [--responses N] [--feedback F] [--kills K] [--concurrency C] [--seed S]',
  );
  process.exit(2);
}

const PROVINCE = 'khanh-hoa';
/** Units of the province that exist today; the ratings are spread over them. */
const UNITS = ['phuong-ninh-hoa', 'so-y-te', 'trung-tam-hcc-khanh-hoa', 'so-tai-chinh'];
const RATINGS = ['rat-hai-long', 'hai-long', 'binh-thuong', 'khong-hai-long'];

const rnd = mulberry32(SEED);
const dir = mkdtempSync(join(tmpdir(), 'gopy-crash-'));
const dbFile = join(dir, 'crash.db');
// The gateway stays up while the portal is killed; receipts wait for the next bind. The lease is
// short so a part in flight at a kill and never taken by the gateway is sent again within the run.
const gateway = await startTestGateway();
const SMS_LEASE_SECONDS = 20;
const env = {
  ...LOAD_TEST_ENV,
  DATABASE_URL: `file:${dbFile}`,
  LOG_LEVEL: 'error',
  SMPP_URL: gateway.url(),
  SMS_LEASE_SECONDS: String(SMS_LEASE_SECONDS),
  SMS_DIR: join(dir, 'sms'),
};
const quay = loadContent(join(import.meta.dirname, '..', 'content')).instruments.find((i) => i.id === 'quay')!;
const version = instrumentVersion(quay);

interface Item {
  kind: 'rating' | 'feedback';
  key: string;
  body: string;
  unit: string;
  /** The response id, or the feedback's tracking code, the server acknowledged. */
  ackedId?: number | string;
  attempts: number;
}
const ratings: Item[] = Array.from({ length: TOTAL }, (_, i) => {
  const unit = UNITS[i % UNITS.length]!;
  return {
    kind: 'rating',
    key: `crash-${SEED}-${i}`,
    unit,
    body: JSON.stringify({
      instrument: 'quay',
      version,
      unit,
      answers: { rating: RATINGS[Math.floor(rnd() * RATINGS.length)] },
      locale: 'vi',
    }),
    attempts: 0,
  };
});
const feedback: Item[] = Array.from({ length: FEEDBACK }, (_, i) => {
  const unit = UNITS[i % UNITS.length]!;
  return {
    kind: 'feedback',
    key: `crash-fb-${SEED}-${i}`,
    unit,
    body: JSON.stringify({
      kind: 'phan-anh',
      subject: 'khac',
      unit,
      title: `Phản ánh số ${i}`,
      content: 'Nội dung phản ánh gửi trong lúc máy chủ bị tắt đột ngột.',
      name: 'Người gửi thử',
      // Every second sender gives only a phone and asks for SMS: unique numbers, so each message
      // and each delivery receipt names its case.
      ...(i % 2 === 1
        ? { phone: `09${String(i).padStart(8, '0')}`, notify: 'sms' }
        : { email: `nguoi-gui-${i}@example.vn` }),
      publish_content: false,
    }),
    attempts: 0,
  };
});
/** Feedback spread evenly among the ratings, so kills land on both kinds of write. */
const items: Item[] = [];
{
  const every = FEEDBACK > 0 ? Math.max(1, Math.floor((TOTAL + FEEDBACK) / FEEDBACK)) : Infinity;
  let r = 0;
  let f = 0;
  for (let i = 0; r < ratings.length || f < feedback.length; i++)
    items.push(
      (i % every === every - 1 && f < feedback.length) || r >= ratings.length ? feedback[f++]! : ratings[r++]!,
    );
}

const failures: string[] = [];
let server: ServerChild | undefined;
/** Resolves with the URL of the running server; replaced while it is down. */
let ready: Promise<string>;
let markReady: (url: string) => void = () => {};
function serverDown(): void {
  ready = new Promise((resolve) => (markReady = resolve));
}
serverDown();

async function integrityCheck(when: string): Promise<void> {
  const db = await openDb({ url: `file:${dbFile}` });
  try {
    const rs = await db.client.execute('PRAGMA integrity_check');
    const result = rs.rows.map((r) => String(Object.values(r)[0])).join('; ');
    if (result !== 'ok') failures.push(`integrity_check ${when}: ${result}`);
    integrityChecks++;
  } finally {
    db.close();
  }
}

let restarts = 0;
let integrityChecks = 0;
async function start(): Promise<void> {
  server = await startServerChild(env);
  if (restarts > 0) await integrityCheck(`after restart ${restarts}`);
  markReady(server.url);
}

// ── Clients ──────────────────────────────────────────────────────────────────────────────────────

let next = 0;
const retryQueue: Item[] = [];
let acked = 0;
let ackedSinceStart = 0;
let replayed = 0;
let transportErrors = 0;
let serverErrors = 0;

async function submit(item: Item): Promise<void> {
  for (;;) {
    const url = await ready;
    item.attempts++;
    try {
      const res = await fetch(`${url}api/v1/${item.kind === 'rating' ? 'responses' : 'feedback'}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': item.key },
        body: item.body,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      if (res.status === 200 || res.status === 201) {
        const result = JSON.parse(text) as { id?: number; tracking_code?: string; replayed: boolean };
        item.ackedId = item.kind === 'rating' ? result.id : result.tracking_code;
        if (result.replayed) replayed++;
        acked++;
        ackedSinceStart++;
        return;
      }
      if (res.status >= 500) {
        serverErrors++;
        continue;
      }
      // 4xx is never a crash symptom: a retry with the same key and body must be accepted.
      failures.push(`${item.key}: HTTP ${res.status} ${text.slice(0, 200)}`);
      return;
    } catch {
      // Connection refused or reset: the server died with the request in flight. Same key again.
      // (The killer marks the server down before it kills, so the next `await ready` waits.)
      transportErrors++;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function client(): Promise<void> {
  for (;;) {
    const item = retryQueue.shift() ?? (next < items.length ? items[next++] : undefined);
    if (!item) return;
    await submit(item);
  }
}

// ── Killer ───────────────────────────────────────────────────────────────────────────────────────

let kills = 0;
let done = false;
async function killer(): Promise<void> {
  while (kills < KILLS && !done) {
    // Spread the kills over the work left: after a random share of the acknowledgements one
    // interval would hold, plus a random delay so the kill lands anywhere in a request's life.
    const left = items.length - acked;
    const threshold = Math.max(1, Math.floor(((0.1 + rnd()) * left) / (KILLS - kills + 1)));
    while (!done && ackedSinceStart < threshold) await new Promise((r) => setTimeout(r, 2));
    if (done) break;
    await new Promise((r) => setTimeout(r, Math.floor(rnd() * 25)));
    if (done) break;
    serverDown();
    await stopServerChild(server!, 'SIGKILL');
    kills++;
    restarts++;
    ackedSinceStart = 0;
    await start();
  }
}

const started = performance.now();
let exitCode = 0;
try {
  await start();
  const killing = killer();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  done = true;
  await killing;
  const seconds = (performance.now() - started) / 1000;
  // Let the last server finish the text messages (a part in flight at the last kill waits out its lease).
  const smsStarted = performance.now();
  for (;;) {
    const probe = await openDb({ url: `file:${dbFile}` });
    const rs = await probe.client.execute("SELECT count(*) AS n FROM sms_outbox WHERE status = 'pending'");
    probe.close();
    if (Number(rs.rows[0]!.n) === 0) break;
    if (performance.now() - smsStarted > (SMS_LEASE_SECONDS + 120) * 1000) {
      failures.push(`${String(rs.rows[0]!.n)} SMS still pending ${SMS_LEASE_SECONDS + 120} s after the last request`);
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const smsSeconds = (performance.now() - smsStarted) / 1000;
  await stopServerChild(server!, 'SIGTERM');
  await integrityCheck('at the end');

  // ── Verification, on the database file itself ──────────────────────────────────────────────────
  const db = await openDb({ url: `file:${dbFile}` });
  const [rowsRs, keysRs, subtreeRs, rollupRs, casesRs] = await db.client.batch(
    [
      'SELECT id, idempotency_key FROM responses',
      'SELECT count(*) AS rows, count(DISTINCT idempotency_key) AS keys FROM responses',
      `${subtreeCte([PROVINCE], 'sub').sql}
       SELECT count(*) AS n FROM responses WHERE unit_id IN (SELECT id FROM sub)`,
      `SELECT coalesce(sum(n), 0) AS n FROM rating_rollups
       WHERE unit_id = ? AND procedure_code = '' AND metric = '_responses' AND value = ''`,
      `SELECT f.idempotency_key, f.tracking_code,
              (SELECT count(*) FROM feedback_contacts c WHERE c.feedback_id = f.id) AS contacts,
              (SELECT count(*) FROM feedback_events e WHERE e.feedback_id = f.id AND e.action = 'submit') AS events,
              (SELECT count(*) FROM email_outbox o WHERE o.dedupe_key = 'fb:' || f.tracking_code || ':receipt') +
              (SELECT count(*) FROM sms_outbox s WHERE s.dedupe_key = 'fb:' || f.tracking_code || ':receipt') AS mails
       FROM feedback f`,
    ].map((sql, i) => (i === 2 || i === 3 ? { sql, args: [PROVINCE] } : sql)),
    'read',
  );
  db.close();
  const stored = new Map<string, number[]>();
  for (const r of rowsRs!.rows) {
    const key = String(r.idempotency_key);
    stored.set(key, [...(stored.get(key) ?? []), Number(r.id)]);
  }
  let lost = 0;
  let wrongId = 0;
  for (const item of ratings) {
    if (item.ackedId === undefined) continue;
    const ids = stored.get(item.key);
    if (!ids) lost++;
    else if (!ids.includes(Number(item.ackedId))) wrongId++;
  }
  const duplicates = [...stored.values()].filter((ids) => ids.length > 1).length;
  const rows = Number(keysRs!.rows[0]!.rows);
  const distinct = Number(keysRs!.rows[0]!.keys);
  const subtree = Number(subtreeRs!.rows[0]!.n);
  const rollup = Number(rollupRs!.rows[0]!.n);
  const unacked = items.filter((i) => i.ackedId === undefined).length;

  // Feedback: each acknowledged case once, under its acknowledged code, with all its parts.
  const cases = new Map<string, { code: string; whole: boolean }[]>();
  for (const r of casesRs!.rows) {
    const key = String(r.idempotency_key);
    const whole = Number(r.contacts) === 1 && Number(r.events) === 1 && Number(r.mails) === 1;
    cases.set(key, [...(cases.get(key) ?? []), { code: String(r.tracking_code), whole }]);
  }
  let casesLost = 0;
  let casesWrong = 0;
  for (const item of feedback) {
    if (item.ackedId === undefined) continue;
    const found = cases.get(item.key);
    if (!found) casesLost++;
    else if (found[0]!.code !== item.ackedId) casesWrong++;
  }
  const casesDuplicated = [...cases.values()].filter((c) => c.length > 1).length;
  const casesPartial = [...cases.values()].flat().filter((c) => !c.whole).length;
  if (casesLost > 0) failures.push(`${casesLost} acknowledged feedback cases lost`);
  if (casesWrong > 0) failures.push(`${casesWrong} feedback cases stored under another code than acknowledged`);
  if (casesDuplicated > 0) failures.push(`${casesDuplicated} feedback keys stored twice`);
  if (casesPartial > 0) failures.push(`${casesPartial} feedback cases without exactly one contact, event and receipt`);
  if (casesRs!.rows.length !== FEEDBACK)
    failures.push(`${casesRs!.rows.length} feedback cases stored for ${FEEDBACK} sent`);

  // SMS: what the gateway accepted, part by part and as the phones put the messages together.
  const partKeys = gateway.store.accepted.map((p) => `${p.to}/${p.udh ? `${p.udh.ref}/${p.udh.seq}` : p.text}`);
  const partsTwice = partKeys.length - new Set(partKeys).size;
  const messages = messagesOf(gateway.store);
  const phoneCases = feedback.filter((f) => (JSON.parse(f.body) as { phone?: string }).phone);
  let smsLost = 0;
  let smsTwice = 0;
  let smsIncomplete = 0;
  for (const item of phoneCases) {
    if (item.ackedId === undefined) continue;
    const phone = (JSON.parse(item.body) as { phone: string }).phone;
    const to = `84${phone.slice(1)}`;
    const got = messages.filter((m) => m.to === to && m.text.includes(String(item.ackedId)));
    if (got.length === 0) smsLost++;
    else if (got.length > 1) smsTwice++;
    const all = messages.filter((m) => m.to === to);
    // A message's parts all arrived: the text ends with the opt-out link (the template's last value).
    if (all.some((m) => !/\/sms\/ngung\/\?k=[A-Za-z0-9_-]{22}$/.test(m.text))) smsIncomplete++;
  }
  if (partsTwice > 0) failures.push(`${partsTwice} SMS parts accepted twice by the gateway`);
  if (smsLost > 0) failures.push(`${smsLost} acknowledged phone cases without their SMS receipt`);
  if (smsTwice > 0) failures.push(`${smsTwice} SMS receipts sent twice`);
  if (smsIncomplete > 0) failures.push(`${smsIncomplete} SMS receipts with parts missing`);

  if (kills < KILLS) failures.push(`only ${kills} kills of ${KILLS}`);
  if (lost > 0) failures.push(`${lost} acknowledged responses lost`);
  if (wrongId > 0) failures.push(`${wrongId} keys stored under another id than acknowledged`);
  if (duplicates > 0) failures.push(`${duplicates} keys stored twice`);
  if (rows !== distinct) failures.push(`${rows} rows but ${distinct} distinct keys`);
  if (unacked > 0) failures.push(`${unacked} responses never acknowledged`);
  if (rows !== TOTAL) failures.push(`${rows} rows stored for ${TOTAL} responses sent`);
  if (rollup !== subtree)
    failures.push(`rollup _responses of ${PROVINCE} = ${rollup}, responses in its subtree = ${subtree}`);

  const attempts = items.reduce((a, i) => a + i.attempts, 0);
  console.log(`Crash harness (seed ${SEED}, ${CONCURRENCY} clients, POW_REQUIRED=0, RATE_LIMIT_MAX=${env.RATE_LIMIT_MAX})
  sent:                    ${TOTAL} responses + ${FEEDBACK} feedback cases (${attempts} requests, ${attempts - items.length} retries: ${transportErrors} connection errors, ${serverErrors} 5xx)
  SIGKILLs / restarts:     ${kills} / ${restarts}
  integrity_check ok:      ${integrityChecks - failures.filter((f) => f.startsWith('integrity_check')).length} of ${integrityChecks}
  acknowledged:            ${acked} (${replayed} as replays of a write the crash hid)
  lost acknowledged:       ${lost}${wrongId ? ` (+${wrongId} under another id)` : ''}
  duplicate keys:          ${duplicates}
  rows / distinct keys:    ${rows} / ${distinct}
  feedback: lost / dup / partial: ${casesLost} / ${casesDuplicated} / ${casesPartial} (${casesRs!.rows.length} cases stored)
  SMS receipts (real SMPP):  ${phoneCases.length} phone cases, ${messages.length} messages in ${gateway.store.accepted.length} parts accepted; lost / twice / parts twice / incomplete: ${smsLost} / ${smsTwice} / ${partsTwice} / ${smsIncomplete}; ${gateway.store.binds} binds, ${gateway.store.cutMidMessage} kills between two parts of a message; drained ${smsSeconds.toFixed(1)} s after the last request
  rollup _responses (${PROVINCE}): ${rollup} = responses in subtree: ${subtree}
  time:                    ${seconds.toFixed(1)} s`);
  if (failures.length > 0) {
    console.error(`FAILED:\n  ${failures.slice(0, 20).join('\n  ')}`);
    exitCode = 1;
  } else console.log('OK: 0 lost, 0 duplicates, integrity ok after every restart');
} catch (err) {
  console.error(err);
  exitCode = 1;
  if (server) await stopServerChild(server, 'SIGKILL');
} finally {
  await gateway.kill();
  if (values.keep) console.log(`database kept: ${dbFile}`);
  else rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
