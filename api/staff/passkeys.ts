/**
 * Passkeys (WebAuthn Level 3) as a staff second factor (issue #7 part 4b; docs/staff-security.md),
 * through @simplewebauthn/server. The relying party is the portal's public origin (PUBLIC_BASE_URL),
 * or http://localhost:PORT in development and tests: WebAuthn refuses IP addresses as RP ids.
 * The library is loaded on first use: its half second of import is not paid by every start.
 */
const lib = () => import('@simplewebauthn/server');
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Config } from '../env.ts';
import type { PasskeyRow } from '../../db/staff-mfa.ts';

export function relyingParty(config: Config): { id: string; origin: string; name: string } {
  const origin = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
  return { id: new URL(origin).hostname, origin, name: 'Góp ý Khánh Hòa' };
}

export async function registrationOptions(
  config: Config,
  user: { id: number; username: string; displayName: string },
  existing: readonly PasskeyRow[],
) {
  const rp = relyingParty(config);
  return (await lib()).generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(`staff-${user.id}`),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

/** The new passkey, or undefined when the response does not verify (never throws for bad input). */
export async function verifyRegistration(
  config: Config,
  response: unknown,
  challenge: string,
): Promise<PasskeyRow | undefined> {
  const rp = relyingParty(config);
  try {
    const v = await (
      await lib()
    ).verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
    if (!v.verified) return undefined;
    const c = v.registrationInfo.credential;
    return {
      credentialId: c.id,
      publicKey: Buffer.from(c.publicKey).toString('base64url'),
      counter: c.counter,
      transports: c.transports ?? [],
    };
  } catch {
    return undefined;
  }
}

export async function authenticationOptions(config: Config, passkeys: readonly PasskeyRow[]) {
  return (await lib()).generateAuthenticationOptions({
    rpID: relyingParty(config).id,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
    userVerification: 'preferred',
  });
}

/** The passkey used and its new signature counter, or undefined when the assertion fails. */
export async function verifyAssertion(
  config: Config,
  response: unknown,
  challenge: string,
  passkeys: readonly PasskeyRow[],
): Promise<{ credentialId: string; counter: number } | undefined> {
  const rp = relyingParty(config);
  const id = (response as { id?: unknown } | null)?.id;
  const key = passkeys.find((p) => p.credentialId === id);
  if (!key) return undefined;
  try {
    const v = await (
      await lib()
    ).verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: key.credentialId,
        publicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64url')),
        counter: key.counter,
        transports: key.transports,
      },
      requireUserVerification: false,
    });
    return v.verified ? { credentialId: key.credentialId, counter: v.authenticationInfo.newCounter } : undefined;
  } catch {
    return undefined;
  }
}
