/**
 * The rating form (issue #3, docs/architecture.md §4 flow 1). The server renders it as one plain HTML form that
 * works without JavaScript (every question, conditional ones labelled as such, posted to the page).
 * Hydrated, it becomes: on phones one question per screen with progress, Back and Next; on wider
 * screens the questions that apply; then a check-your-answers step; the counter rating is one
 * screen of big buttons. It sends JSON with an Idempotency-Key and keeps the rating in the browser
 * when the network is down (./rating-outbox.ts). Strings arrive translated: no i18next here.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import {
  answersToSend,
  thanksHref,
  checkAnswers,
  errorView,
  fill,
  inputId,
  isAnswered,
  newKey,
  ratingBody,
  visibleQuestions,
  type Answers,
  type ErrorStrings,
  type FormMeta,
  type FormQuestion,
  type ProblemLike,
} from '../lib/rating-form.ts';
import {
  addPending,
  keepFlushing,
  preparePow,
  registerOutboxWorker,
  requestOutboxSync,
  sendRating,
  type FlushResult,
} from './rating-outbox.ts';

export interface RatingStrings extends ErrorStrings {
  question: string;
  required: string;
  /** Said once above the questions: "(bắt buộc)" is not repeated on each (issue #11). */
  requiredNote: string;
  optional: string;
  maxLength: string;
  maxChoicesHint: string;
  charsLeft: string;
  honeypot: string;
  send: string;
  next: string;
  back: string;
  progress: string;
  checkTitle: string;
  checkLead: string;
  checkChange: string;
  checkChangeHidden: string;
  notAnswered: string;
  errorTitle: string;
  errorPrefix: string;
  withoutToken: string;
  sending: string;
  checking: string;
  pending: string;
  pendingStorage: string;
  pendingSent: string;
  /** Added to the waiting notice: the answer leaves when any page of the site is next opened. */
  pendingAnyPage: string;
}

interface Props {
  meta: FormMeta;
  questions: FormQuestion[];
  /** The citizen's answers when the page comes back from a refused plain-form post. */
  answers: Answers;
  problem?: ProblemLike | undefined;
  strings: RatingStrings;
}

type Status = 'idle' | 'checking' | 'sending' | 'pending' | 'pendingStorage' | 'sentOther';
const PHONE = '(max-width: 39.99rem)';

export default function RatingForm({
  meta,
  questions,
  answers: initialAnswers,
  problem: initialProblem,
  strings: s,
}: Props) {
  const [enhanced, setEnhanced] = useState(false);
  const [phone, setPhone] = useState(false);
  const [answers, setAnswers] = useState<Answers>(initialAnswers);
  const [problem, setProblem] = useState<ProblemLike | undefined>(initialProblem);
  const [view, setView] = useState<'form' | 'check'>('form');
  const [step, setStep] = useState(0);
  const [returnToCheck, setReturnToCheck] = useState(false);
  const [status, setStatus] = useState<Status>('idle');
  const key = useRef(meta.key);
  const busy = useRef(false);
  /** This form's rating waits in the outbox (sent later by this page or by the service worker). */
  const queued = useRef(false);
  const focusNext = useRef<string | undefined>(undefined);
  const form = useRef<HTMLFormElement>(null);
  const flusher = useRef<{ arm(): void; stop(): void } | undefined>(undefined);
  /** The answers as last rendered, for the outbox callback registered once at mount. */
  const latest = useRef(answers);
  latest.current = answers;

  const counter = meta.kind === 'counter';
  const mode = !enhanced ? 'plain' : counter ? 'single' : phone ? 'stepper' : 'long';
  const shown = mode === 'plain' ? questions : visibleQuestions(questions, answers);
  const at = Math.min(step, shown.length - 1);
  const numberOf = (id: string) =>
    shown.findIndex((q) => q.id === id) + 1 || questions.findIndex((q) => q.id === id) + 1;
  const errors = problem ? errorView(problem, questions, numberOf, s) : undefined;
  const visibleIds = new Set(visibleQuestions(questions, answers).map((q) => q.id));

  useEffect(() => {
    const mq = matchMedia(PHONE);
    const onChange = () => setPhone(mq.matches);
    onChange();
    mq.addEventListener('change', onChange);
    setEnhanced(true);
    if (initialProblem) {
      focusNext.current = 'error-summary';
      const first = errorView(initialProblem, questions, () => 0, s).items.find((i) => i.questionId);
      const idx = first ? visibleQuestions(questions, initialAnswers).findIndex((q) => q.id === first.questionId) : -1;
      if (idx >= 0) setStep(idx);
    }
    flusher.current = keepFlushing(onFlushed);
    // The worker that sends a waiting rating from any page of the site, even after this tab is closed.
    void registerOutboxWorker();
    // Back from the thank-you page (bfcache): this form is a new rating, with a new key.
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) {
        key.current = newKey();
        queued.current = false;
        setStatus('idle');
      }
    };
    addEventListener('pageshow', onShow);
    return () => {
      mq.removeEventListener('change', onChange);
      removeEventListener('pageshow', onShow);
      flusher.current?.stop();
    };
  }, []);

  // Move focus where the citizen's attention must go (new question, check step, error summary).
  useEffect(() => {
    const id = focusNext.current;
    if (!id) return;
    focusNext.current = undefined;
    const el = document.getElementById(id);
    el?.focus({ preventScroll: true });
    // A new question on a phone: show the progress line above it too.
    const top = (id.startsWith('q-') && document.getElementById('progress-text')) || el;
    top?.scrollIntoView?.({ block: 'start' });
  });

  function onFlushed(r: FlushResult): void {
    // Sent by this page, or by the service worker (the queue is empty and this one was not refused).
    const mine = r.failed.find((f) => f.key === key.current);
    if (r.sent.includes(key.current) || (queued.current && r.waiting === 0 && !mine)) {
      location.assign(thanksHref(meta, questions, answersToSend(questions, latest.current)));
      return;
    }
    if (mine) {
      queued.current = false;
      busy.current = false;
      setStatus('idle');
      showProblem(mine.problem);
    } else if (r.waiting > 0) setStatus(r.storage ? 'pendingStorage' : 'pending');
    else if (r.sent.length > 0) setStatus('sentOther');
  }

  function showProblem(p: ProblemLike): void {
    setProblem(p);
    focusNext.current = 'error-summary';
  }

  function setAnswer(q: FormQuestion, value: string, on?: boolean): void {
    // Open ratings need a proof of work: start on it with the first answer, so it is ready when the
    // citizen sends, and a visitor who only looks never downloads the solver.
    if (!meta.token) preparePow().catch(() => undefined);
    setAnswers((prev) => {
      if (q.type !== 'multi') return { ...prev, [q.id]: value };
      const list = new Set(
        Array.isArray(prev[q.id]) ? (prev[q.id] as string[]) : prev[q.id] ? [prev[q.id] as string] : [],
      );
      if (on) list.add(value);
      else list.delete(value);
      return { ...prev, [q.id]: q.options.map((o) => o.value).filter((v) => list.has(v)) };
    });
  }

  /** Forget errors about these questions once they are answered correctly. */
  function clearErrorsOf(ids: string[]): void {
    if (!problem?.errors) return;
    const left = problem.errors.filter((e) => !ids.some((id) => e.path === `answers.${id}`));
    setProblem(left.length > 0 ? { ...problem, errors: left } : undefined);
  }

  function goTo(id: string): void {
    const idx = shown.findIndex((q) => q.id === id);
    if (view === 'check') setReturnToCheck(true);
    setView('form');
    if (idx >= 0) setStep(idx);
    const q = questions.find((x) => x.id === id);
    focusNext.current = mode === 'stepper' ? `q-${id}` : q ? inputId(q) : undefined;
  }

  function toCheck(): void {
    setView('check');
    setReturnToCheck(false);
    focusNext.current = 'check-title';
  }

  function next(): void {
    const q = shown[at]!;
    const errs = checkAnswers([q], answers);
    if (errs.length > 0) return showProblem({ code: 'validation_failed', errors: errs });
    clearErrorsOf([q.id]);
    const after = returnToCheck
      ? shown.findIndex((x, i) => i > at && x.required && !isAnswered(answers, x.id))
      : at + 1 < shown.length
        ? at + 1
        : -1;
    if (after < 0) return toCheck();
    setStep(after);
    focusNext.current = `q-${shown[after]!.id}`;
  }

  function back(): void {
    if (view === 'check') {
      setView('form');
      if (mode === 'stepper') {
        setStep(shown.length - 1);
        focusNext.current = `q-${shown[shown.length - 1]!.id}`;
      }
      return;
    }
    setStep(at - 1);
    focusNext.current = `q-${shown[at - 1]!.id}`;
  }

  async function send(): Promise<void> {
    if (busy.current) return;
    const toSend = answersToSend(questions, answers);
    const errs = checkAnswers(questions, toSend);
    if (errs.length > 0) {
      if (mode === 'stepper') {
        const first = shown.findIndex((q) => errs.some((e) => e.path === `answers.${q.id}`));
        if (first >= 0) setStep(first);
        setView('form');
      }
      return showProblem({ code: 'validation_failed', errors: errs });
    }
    busy.current = true;
    setProblem(undefined);
    const website = (form.current?.elements.namedItem('website') as HTMLInputElement | null)?.value ?? '';
    const body = ratingBody(meta, toSend, website);
    setStatus(meta.token ? 'sending' : 'checking');
    const outcome = await sendRating(body, key.current, () => setStatus('sending'));
    if (outcome.kind === 'ok') {
      location.assign(thanksHref(meta, questions, toSend));
      return;
    }
    busy.current = false;
    if (outcome.kind === 'offline') {
      await addPending({ body, key: key.current, createdAt: Date.now() });
      queued.current = true;
      setStatus(outcome.storage ? 'pendingStorage' : 'pending');
      flusher.current?.arm();
      void requestOutboxSync();
      return;
    }
    setStatus('idle');
    showProblem(outcome.problem);
  }

  function onSubmit(e: Event): void {
    if (!enhanced) return; // not hydrated yet: the plain post still works
    e.preventDefault();
    if (status === 'pending' || status === 'pendingStorage') return;
    if (mode === 'stepper' && view === 'form') next();
    else if (mode === 'long' && view === 'form') {
      const errs = checkAnswers(questions, answers);
      if (errs.length > 0) showProblem({ code: 'validation_failed', errors: errs });
      else {
        setProblem(undefined);
        toCheck();
      }
    } else void send();
  }

  // ── Rendering ──────────────────────────────────────────────────────────────────────────────────

  function answerText(q: FormQuestion): string {
    const v = answers[q.id];
    const list = (Array.isArray(v) ? v : v ? [v] : []).filter((x) => x.trim() !== '');
    if (list.length === 0) return s.notAnswered;
    if (q.type === 'text') return list[0]!;
    return list
      .map((x) => {
        const label = q.options.find((o) => o.value === x)?.label ?? x;
        return q.type === 'likert5' ? `${x} – ${label}` : label;
      })
      .join(', ');
  }

  function question(q: FormQuestion, number: number | undefined): ComponentChildren {
    const error = errors?.fields[q.id];
    const hintId = q.hint ? `hint-${q.id}` : undefined;
    const limit =
      q.type === 'text' && q.maxLength
        ? mode === 'plain'
          ? fill(s.maxLength, { max: q.maxLength })
          : fill(s.charsLeft, { count: q.maxLength - [...((answers[q.id] as string | undefined) ?? '')].length })
        : q.type === 'multi' && q.maxChoices
          ? fill(s.maxChoicesHint, { max: q.maxChoices })
          : undefined;
    const limitId = limit ? `limit-${q.id}` : undefined;
    const errorId = error ? `err-${q.id}` : undefined;
    const describedBy = [hintId, limitId, errorId].filter(Boolean).join(' ') || undefined;
    const big = mode === 'stepper' || (counter && q.type === 'choice');
    const head = (
      <>
        {number !== undefined && <span class="q-number">{fill(s.question, { n: number })}</span>}
        <span class="q-text">{q.text}</span>{' '}
        {/* Required is said once above the form; a screen reader still hears it on each question. */}
        <span class={q.required ? 'visually-hidden' : 'q-req'}>{q.required ? s.required : s.optional}</span>
        {mode === 'plain' && q.condition && <span class="q-cond">{q.condition}</span>}
      </>
    );
    const notes = (
      <>
        {q.hint && (
          <p class="hint" id={hintId}>
            {q.hint}
          </p>
        )}
        {limit && (
          <p class="hint" id={limitId}>
            {limit}
          </p>
        )}
        {error && (
          <p class="error-message" id={errorId}>
            <span class="visually-hidden">{s.errorPrefix} </span>
            {error}
          </p>
        )}
      </>
    );
    // Without JavaScript every question is on the page; a question the enhanced form would hide
    // (its condition not met) is marked, and CSS hides it while the island loads (scripting media
    // query), so nothing moves when the island starts (layout shift, issue #11 part 6).
    const later = mode === 'plain' && !visibleIds.has(q.id);
    const cls = `question${error ? ' question-error' : ''}${big ? ' question-big' : ''}${later ? ' q-later' : ''}`;
    if (q.type === 'text') {
      const value = (answers[q.id] as string | undefined) ?? '';
      return (
        <div class={cls} id={`q-${q.id}`} key={q.id} tabIndex={-1}>
          <label class="q-legend" for={`a-${q.id}`}>
            {head}
          </label>
          {notes}
          <textarea
            id={`a-${q.id}`}
            name={`a.${q.id}`}
            rows={counter ? 2 : (q.maxLength ?? 0) > 600 ? 5 : 3}
            maxLength={q.maxLength}
            aria-describedby={describedBy}
            value={value}
            onInput={(e) => setAnswer(q, (e.target as HTMLTextAreaElement).value)}
          />
        </div>
      );
    }
    const multi = q.type === 'multi';
    const chosen = answers[q.id];
    const isChosen = (v: string) => (Array.isArray(chosen) ? chosen.includes(v) : chosen === v);
    const layout = counter ? (multi ? ' chips' : ' tiles') : '';
    return (
      <fieldset class={cls} id={`q-${q.id}`} key={q.id} tabIndex={-1} aria-describedby={describedBy}>
        <legend class="q-legend">{head}</legend>
        {notes}
        <div class={`choices${layout}`}>
          {q.options.map((o, i) => (
            <div class="choice" key={o.value}>
              <input
                type={multi ? 'checkbox' : 'radio'}
                id={`a-${q.id}-${i}`}
                name={`a.${q.id}`}
                value={o.value}
                checked={isChosen(o.value)}
                onChange={(e) => setAnswer(q, o.value, (e.target as HTMLInputElement).checked)}
              />
              <label for={`a-${q.id}-${i}`}>
                {q.type === 'likert5' ? (
                  <>
                    <span class="scale-n">{o.value}</span> {o.label}
                  </>
                ) : (
                  o.label
                )}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    );
  }

  const summary = errors && (
    <div
      class="error-summary"
      id="error-summary"
      role="alert"
      tabIndex={-1}
      aria-labelledby="error-summary-title"
      autofocus={!enhanced}
      data-testid="error-summary"
    >
      <h2 id="error-summary-title">{s.errorTitle}</h2>
      <ul>
        {errors.items.map((item) => {
          const q = item.questionId ? questions.find((x) => x.id === item.questionId) : undefined;
          return (
            <li key={item.text}>
              {q ? (
                <a
                  href={`#${inputId(q)}`}
                  onClick={(e) => {
                    if (!enhanced) return;
                    e.preventDefault();
                    goTo(q.id);
                  }}
                >
                  {item.text}
                </a>
              ) : (
                item.text
              )}
              {item.token && meta.withoutTokenHref && (
                <>
                  {' '}
                  <a href={meta.withoutTokenHref}>{s.withoutToken}</a>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );

  const waiting = status === 'pending' || status === 'pendingStorage';
  const statusText = {
    idle: '',
    checking: s.checking,
    sending: s.sending,
    pending: s.pending,
    pendingStorage: s.pendingStorage,
    sentOther: s.pendingSent,
  }[status];

  let body: ComponentChildren;
  let buttons: ComponentChildren;
  if (view === 'check' && (mode === 'stepper' || mode === 'long')) {
    body = (
      <div class="check-answers" data-testid="check-answers">
        <h2 id="check-title" tabIndex={-1}>
          {s.checkTitle}
        </h2>
        <p>{s.checkLead}</p>
        <dl class="summary-list">
          {shown.map((q, i) => (
            <div class="summary-row" key={q.id}>
              <dt>
                {i + 1}. {q.text}
              </dt>
              <dd class={isAnswered(answers, q.id) ? 'summary-value' : 'summary-value summary-empty'}>
                {answerText(q)}
              </dd>
              <dd class="summary-action">
                <a
                  href={`#q-${q.id}`}
                  onClick={(e) => {
                    e.preventDefault();
                    goTo(q.id);
                  }}
                >
                  {s.checkChange}
                  <span class="visually-hidden"> {fill(s.checkChangeHidden, { n: i + 1 })}</span>
                </a>
              </dd>
            </div>
          ))}
        </dl>
      </div>
    );
    buttons = (
      <>
        <button type="submit" data-testid="send" disabled={waiting}>
          {s.send}
        </button>
        <button type="button" class="button-secondary" onClick={back}>
          {s.back}
        </button>
      </>
    );
  } else if (mode === 'stepper') {
    const q = shown[at]!;
    body = (
      <>
        <div class="progress">
          <p id="progress-text" data-testid="progress-text">
            {fill(s.progress, { n: at + 1, total: shown.length })}
          </p>
          <progress max={shown.length} value={at + 1} aria-labelledby="progress-text" />
        </div>
        {question(q, undefined)}
      </>
    );
    buttons = (
      <>
        <button type="submit" data-testid="next">
          {s.next}
        </button>
        {at > 0 && (
          <button type="button" class="button-secondary" onClick={back}>
            {s.back}
          </button>
        )}
      </>
    );
  } else {
    // A counter rating has two or three questions: no numbers, with or without JavaScript.
    body = shown.map((q, i) => question(q, counter ? undefined : i + 1));
    buttons = (
      <button type="submit" data-testid={mode === 'long' ? 'next' : 'send'} disabled={waiting && mode !== 'long'}>
        {mode === 'long' ? s.next : s.send}
      </button>
    );
  }

  return (
    <form
      method="post"
      action={meta.action}
      noValidate
      ref={form}
      class={`rating-form rating-${mode}${counter ? ' rating-counter' : ''}`}
      data-testid="rating-form"
      data-enhanced={enhanced ? mode : undefined}
      onSubmit={onSubmit}
    >
      {summary}
      <input type="hidden" name="instrument" value={meta.instrument} />
      <input type="hidden" name="version" value={meta.version} />
      <input type="hidden" name="unit" value={meta.unit} />
      {meta.procedure && <input type="hidden" name="procedure" value={meta.procedure} />}
      {meta.counter && <input type="hidden" name="counter" value={meta.counter} />}
      {meta.token && <input type="hidden" name="token" value={meta.token} />}
      <input type="hidden" name="locale" value={meta.locale} />
      <input type="hidden" name="idempotency_key" value={meta.key} />
      {/* Not on the one-tap counter survey: its tiles and send button stay above the fold (issue #11). */}
      {view !== 'check' && !counter && shown.some((q) => q.required) && shown.some((q) => !q.required) && (
        <p class="hint" data-testid="required-note">
          {s.requiredNote}
        </p>
      )}
      {body}
      <div class="hp" aria-hidden="true">
        <label for="website">{s.honeypot}</label>
        <input type="text" id="website" name="website" autocomplete="off" tabIndex={-1} />
      </div>
      {/* While a rating waits, the notice stands out above the buttons and sending is off: the
          answer is already kept and leaves by itself (issue #11 part 5). */}
      <p class={waiting ? 'rate-status rate-waiting' : 'rate-status'} role="status" data-testid="rate-status">
        {statusText}
        {waiting && (
          <>
            {' '}
            <span class="rate-waiting-more">{s.pendingAnyPage}</span>
          </>
        )}
      </p>
      <div class="button-row">{buttons}</div>
    </form>
  );
}
