/**
 * The counter kiosk's one-tap rating (issue #10 part 3). The server renders a plain form whose
 * buttons each post one answer; hydrated, a tap puts the rating in the rating page's outbox
 * (./rating-outbox.ts: localStorage, one Idempotency-Key per rating, sent once however often it is
 * retried), thanks the citizen at once, and sends it; offline, it waits and goes when the network
 * returns. A few seconds later the kiosk is back at the question with a new key, for the next
 * citizen. Nothing personal is asked or kept: the answer, the counter and the shift.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RatingInput } from '../../api/contracts/rating.ts';
import { newKey, type FormQuestion } from '../lib/rating-form.ts';
import { addPending, flushPending, keepFlushing, readPending, type FlushResult } from './rating-outbox.ts';

export interface KioskMeta {
  instrument: string;
  version: string;
  unit: string;
  counter: string;
  shift: string | null;
  locale: string;
  key: string;
  /** Seconds the thank-you screen stays before the next citizen's question. */
  resetSeconds: number;
}

export interface KioskIslandStrings {
  question: string;
  thanks: string;
  thanksQueued: string;
  waiting: string;
  fullscreen: string;
  reset: string;
}

interface Props {
  meta: KioskMeta;
  question: FormQuestion;
  strings: KioskIslandStrings;
}

export default function KioskRating({ meta, question, strings: s }: Props) {
  const [enhanced, setEnhanced] = useState(false);
  const [screen, setScreen] = useState<'question' | 'thanks'>('question');
  const [queued, setQueued] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const key = useRef(meta.key);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const flusher = useRef<{ arm(): void; stop(): void } | undefined>(undefined);

  useEffect(() => {
    setEnhanced(true);
    // The plain form (one post per tap) stays for browsers without JavaScript.
    const plain = document.getElementById('kiosk-plain');
    if (plain) plain.hidden = true;
    void readPending().then((pending) => setWaiting(pending.length));
    flusher.current = keepFlushing(onFlushed);
    return () => {
      flusher.current?.stop();
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  useEffect(() => {
    const id = screen === 'thanks' ? 'kiosk-thanks' : 'kiosk-question';
    document.getElementById(id)?.focus({ preventScroll: true });
  }, [screen]);

  function onFlushed(r: FlushResult): void {
    setWaiting(r.waiting);
    if (r.sent.length > 0 || r.failed.length > 0) setQueued(r.waiting > 0);
  }

  function reset(): void {
    if (timer.current) clearTimeout(timer.current);
    key.current = newKey();
    setScreen('question');
  }

  function tap(value: string): void {
    const body: RatingInput = {
      instrument: meta.instrument,
      version: meta.version,
      unit: meta.unit,
      counter: meta.counter,
      ...(meta.shift ? { shift: meta.shift } : {}),
      locale: meta.locale,
      answers: { [question.id]: value },
    };
    // Into the outbox first: whatever happens next, the rating is stored once (its key goes with it).
    const stored = addPending({ body, key: key.current, createdAt: Date.now() });
    setQueued(true);
    setScreen('thanks');
    timer.current = setTimeout(reset, meta.resetSeconds * 1000);
    void stored
      .then(() => readPending())
      .then((pending) => {
        setWaiting(pending.length);
        return flushPending();
      })
      .then((r) => {
        onFlushed(r);
        if (r.waiting > 0) flusher.current?.arm();
      });
  }

  function fullscreen(): void {
    void document.documentElement.requestFullscreen?.().catch(() => undefined);
  }

  if (!enhanced) return null;
  return (
    <div class="kiosk-app" data-testid="kiosk-app" data-screen={screen}>
      {screen === 'question' ? (
        <div class="kiosk-screen">
          <h1 id="kiosk-question" tabIndex={-1}>
            {s.question}
          </h1>
          <div class="kiosk-choices" role="group" aria-labelledby="kiosk-question">
            {question.options.map((o) => (
              <button
                type="button"
                class={`kiosk-choice kiosk-choice-${o.value}`}
                data-value={o.value}
                onClick={() => tap(o.value)}
              >
                {o.label}
              </button>
            ))}
          </div>
        </div>
      ) : (
        <div class="kiosk-screen kiosk-thanks" role="status">
          <h1 id="kiosk-thanks" tabIndex={-1} data-testid="kiosk-thanks">
            {s.thanks}
          </h1>
          {queued && waiting > 0 && <p data-testid="kiosk-queued">{s.thanksQueued}</p>}
          <button type="button" class="kiosk-reset" onClick={reset}>
            {s.reset}
          </button>
        </div>
      )}
      <p class="kiosk-status">
        {waiting > 0 && <span data-testid="kiosk-waiting">{s.waiting.replace('{{n}}', String(waiting))}</span>}
        <button type="button" class="kiosk-fullscreen" onClick={fullscreen}>
          {s.fullscreen}
        </button>
      </p>
    </div>
  );
}
