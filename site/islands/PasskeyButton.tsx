/**
 * Passkey second factor (issue #7 part 4b; docs/staff-security.md): signs in with a passkey, or
 * enrols one, through @simplewebauthn/browser and the pending-sign-in routes of the API. Without
 * JavaScript or without WebAuthn the button is not shown and the TOTP form beside it works alone.
 * After an enrolment it shows the recovery codes the API returns, once.
 */
import { useEffect, useState } from 'preact/hooks';
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';

interface Props {
  mode: 'login' | 'enrol';
  strings: { button: string; working: string; failed: string; codesTitle: string; codesLead: string; continue: string };
}

async function postJson(path: string, body?: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

export default function PasskeyButton({ mode, strings }: Props) {
  const [supported, setSupported] = useState(false);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [codes, setCodes] = useState<string[] | undefined>();
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);

  async function run() {
    setBusy(true);
    setStatus(strings.working);
    const base = mode === 'login' ? '/api/v1/staff/login/passkey' : '/api/v1/staff/enrol/passkey';
    try {
      const options = await postJson(`${base}/options`);
      if (!options.ok) throw new Error(String(options.status));
      const optionsJSON = await options.json();
      const response =
        mode === 'login' ? await startAuthentication({ optionsJSON }) : await startRegistration({ optionsJSON });
      const done = await postJson(base, { response });
      if (done.status === 204) {
        window.location.reload();
        return;
      }
      if (done.status === 200) {
        const body = (await done.json()) as { recovery_codes: string[] };
        setCodes(body.recovery_codes);
        setStatus('');
        return;
      }
      throw new Error(String(done.status));
    } catch {
      setStatus(strings.failed);
      setBusy(false);
    }
  }

  if (codes)
    return (
      <section class="panel-ok" data-testid="recovery-codes-panel" aria-labelledby="passkey-codes-title">
        <h2 id="passkey-codes-title">{strings.codesTitle}</h2>
        <p>{strings.codesLead}</p>
        <ol class="recovery-codes" data-testid="recovery-codes">
          {codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <p>
          <a href={window.location.pathname} data-testid="continue">
            {strings.continue}
          </a>
        </p>
      </section>
    );
  if (!supported) return null;
  return (
    <div class="passkey">
      <button type="button" class="button-secondary" onClick={run} disabled={busy} data-testid="passkey-button">
        {strings.button}
      </button>
      <p role="status" data-testid="passkey-status">
        {status}
      </p>
    </div>
  );
}
