/**
 * The mixed public load of issue #9 for `npm run bench` (part m, and `--soak SECONDS`): an
 * open-loop generator that starts requests at a FIXED rate whatever the server's latency (a slow
 * answer does not slow the sender, as with thousands of independent readers; autocannon's closed
 * loop would), and records status, latency and the server's RSS.
 *
 * The mix (weights of `MIX`): about 70 % reads of the statistics and published answers (pages and
 * JSON/CSV) across many parameter combinations, the rest one-tap rating submits, the rating page,
 * procedure pages and Open311. Parameters are drawn so that a few combinations are popular (the
 * page a newspaper linked) and a long tail is seen rarely: a share of the reads are combinations
 * not seen before (`popularShare`).
 */
import { readFileSync } from 'node:fs';
import type { Content } from '../api/contracts/load-content.ts';
import { instrumentVersion } from '../api/contracts/instrument.ts';
import { mulberry32 } from '../api/demo/generate.ts';

export interface MixedResult {
  sent: number;
  byStatus: Record<string, number>;
  errors: number;
  /** Requests that were still open when the run ended (counted as errors). */
  unfinished: number;
  latencies: number[];
  byKind: Record<string, { n: number; latencies: number[] }>;
  rss: { at: number; bytes: number }[];
  seconds: number;
  /** The first failures' messages (timeouts, refused connections), for the report. */
  failures: Record<string, number>;
}

interface Req {
  kind: string;
  path: string;
  init?: RequestInit;
}

export function rssOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(text)?.[1] ?? NaN) * 1024;
}

/** Builds the request picker: a seeded, reproducible sequence. */
export function mixedRequests(content: Content, seed = 9): () => Req {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const year = new Date().getUTCFullYear();
  const years = [String(year - 1), String(year)];
  const spans = years.flatMap((y) => [
    y,
    ...[1, 2, 3, 4].map((q) => `${y}-Q${q}`),
    ...Array.from({ length: 12 }, (_, m) => `${y}-${String(m + 1).padStart(2, '0')}`),
  ]);
  const units = content.units.map((u) => u.id);
  const popularUnits = units.slice(0, 6);
  const instruments = ['quay', 'sipas', 'danh-gia-ho-so'];
  const periods = ['nam', 'quy', 'thang'];
  const procedures = content.procedures.map((p) => p.code);
  const quay = content.instruments.find((i) => i.id === 'quay')!;
  const version = instrumentVersion(quay);
  const ratingUnits = units.filter((id) => content.procedures.some((p) => p.units.includes(id)));
  let seq = 0;
  const run = Date.now().toString(36);

  /** 80 % from a few popular combinations, 20 % from the long tail. */
  const popular = () => rand() < 0.8;
  const statsParams = () => {
    if (popular()) return { unit: pick(popularUnits), instrument: pick(instruments), span: years[0]! };
    return { unit: pick(units), instrument: pick(instruments), span: pick(spans) };
  };
  const listParams = () => {
    if (popular()) return rand() < 0.5 ? '' : `?trang=${1 + Math.floor(rand() * 3)}`;
    const parts = [`don-vi=${pick(units)}`];
    if (rand() < 0.5) parts.push(`trang=${1 + Math.floor(rand() * 5)}`);
    return `?${parts.join('&')}`;
  };

  const MIX: [number, () => Req][] = [
    // ── reads of statistics and published answers: 70 % ──
    [
      22,
      () => {
        const p = statsParams();
        const en = rand() < 0.2;
        const qs = `don-vi=${p.unit}&mau=${p.instrument}&thoi-gian=${p.span}&ky=${pick(periods)}`;
        return { kind: 'stats page', path: `/${en ? 'en/statistics' : 'thong-ke'}/?${qs}` };
      },
    ],
    [
      14,
      () => {
        const p = statsParams();
        const ep = pick(['ratings', 'ratings', 'dossiers', 'feedback', 'ratings.csv']);
        const ins = ep.startsWith('ratings') ? `&instrument=${p.instrument}` : '';
        return { kind: 'stats JSON/CSV', path: `/api/v1/stats/${ep}?unit=${p.unit}&span=${p.span}${ins}` };
      },
    ],
    [20, () => ({ kind: 'published page', path: `/${rand() < 0.2 ? 'en/published' : 'cong-khai'}/${listParams()}` })],
    [
      14,
      () => {
        const q = popular() ? '' : `?unit=${pick(units)}&page=${1 + Math.floor(rand() * 3)}`;
        return { kind: 'published JSON', path: `/api/v1/published-feedback${q}` };
      },
    ],
    // ── the rest: 30 % ──
    [
      15,
      () => {
        const unit = pick(ratingUnits);
        const procedure = content.procedures.find((p) => p.units.includes(unit))?.code;
        return {
          kind: 'rating submit',
          path: '/api/v1/responses',
          init: {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': `mixed-${run}-${++seq}` },
            body: JSON.stringify({
              instrument: 'quay',
              version,
              unit,
              procedure,
              answers: { rating: pick(['rat-hai-long', 'hai-long', 'binh-thuong', 'khong-hai-long']) },
              locale: 'vi',
            }),
          },
        };
      },
    ],
    [5, () => ({ kind: 'rating page', path: `/danh-gia/?don-vi=${pick(ratingUnits)}&mau=quay` })],
    [5, () => ({ kind: 'procedure page', path: `/thu-tuc/${pick(procedures)}/` })],
    [
      5,
      () => ({
        kind: 'Open311',
        path: rand() < 0.5 ? '/open311/v2/services.json' : '/open311/v2/requests.json',
      }),
    ],
  ];
  const total = MIX.reduce((a, [w]) => a + w, 0);
  return () => {
    let x = rand() * total;
    for (const [w, make] of MIX) {
      if ((x -= w) < 0) return make();
    }
    return MIX[0]![1]();
  };
}

/**
 * Sends `rate` requests a second for `seconds`, on a 5 ms tick (each tick starts the requests that
 * are due), never waiting for answers. RSS of `pid` is sampled every second.
 */
export async function runMixed(
  base: string,
  pid: number,
  next: () => Req,
  rate: number,
  seconds: number,
  onSecond?: (second: number, r: MixedResult) => void,
): Promise<MixedResult> {
  const result: MixedResult = {
    sent: 0,
    byStatus: {},
    errors: 0,
    unfinished: 0,
    latencies: [],
    byKind: {},
    rss: [],
    seconds,
    failures: {},
  };
  const open = new Set<Promise<void>>();
  const origin = new URL(base).origin;
  const send = (req: Req) => {
    const started = performance.now();
    const headers = new Headers(req.init?.headers);
    headers.set('origin', origin);
    const p = fetch(`${origin}${req.path}`, { ...req.init, headers, signal: AbortSignal.timeout(30_000) })
      .then(async (res) => {
        await res.arrayBuffer();
        const ms = performance.now() - started;
        result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1;
        result.latencies.push(ms);
        const k = (result.byKind[req.kind] ??= { n: 0, latencies: [] });
        k.n++;
        k.latencies.push(ms);
        if (res.status >= 500) result.errors++;
      })
      .catch((err: unknown) => {
        const e = err as { name?: string; cause?: { code?: string } };
        const what = e.cause?.code ?? e.name ?? 'error';
        result.failures[what] = (result.failures[what] ?? 0) + 1;
        result.errors++;
        result.byStatus.error = (result.byStatus.error ?? 0) + 1;
      })
      .finally(() => open.delete(p));
    open.add(p);
    result.sent++;
  };
  const start = performance.now();
  let lastSecond = -1;
  result.rss.push({ at: 0, bytes: rssOf(pid) });
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - start) / 1000;
      if (elapsed >= seconds) {
        clearInterval(timer);
        done();
        return;
      }
      const due = Math.floor(elapsed * rate) - result.sent;
      for (let i = 0; i < due; i++) send(next());
      const second = Math.floor(elapsed);
      if (second !== lastSecond) {
        lastSecond = second;
        if (second > 0) {
          result.rss.push({ at: second, bytes: rssOf(pid) });
          onSecond?.(second, result);
        }
      }
    }, 5);
  });
  result.rss.push({ at: seconds, bytes: rssOf(pid) });
  // Answers still on their way: wait for them (they count, with their latency), up to 30 s.
  const waitEnd = Promise.all([...open]);
  await Promise.race([waitEnd, new Promise((r) => setTimeout(r, 30_000))]);
  result.unfinished = open.size;
  result.errors += open.size;
  return result;
}

/**
 * One view of each source's statistics for each year, one after another, before the timed run:
 * the first view of a year builds the suppression blocks of that source (api/stats/blocks.ts),
 * which on a cold server takes seconds. Returns the milliseconds each took.
 */
export async function warmUp(base: string): Promise<{ path: string; ms: number; status: number }[]> {
  const origin = new URL(base).origin;
  const year = new Date().getUTCFullYear();
  const out: { path: string; ms: number; status: number }[] = [];
  for (const y of [year - 1, year])
    for (const q of [
      'ratings?instrument=quay',
      'ratings?instrument=sipas',
      'ratings?instrument=danh-gia-ho-so',
      'dossiers?',
      'feedback?',
    ]) {
      const path = `/api/v1/stats/${q}${q.endsWith('?') ? '' : '&'}unit=khanh-hoa&span=${y}`;
      const t = performance.now();
      const res = await fetch(`${origin}${path}`, { signal: AbortSignal.timeout(120_000) });
      await res.arrayBuffer();
      out.push({ path, ms: performance.now() - t, status: res.status });
    }
  return out;
}
