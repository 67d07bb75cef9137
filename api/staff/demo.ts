/**
 * Demo staff accounts (issue #4): one per role, in demo data only, with fresh random passwords on
 * every start (printed once by `npm start` in demo mode, never stored in clear). Each also gets a
 * fresh TOTP secret (issue #7 part 4b): the demo signs in with both factors like production, and a
 * tester adds the printed secret or otpauth URI to an authenticator app (docs/staff-security.md).
 */
import type { Db } from '../../db/client.ts';
import {
  createStaff,
  findStaffByUsername,
  revokeAllSessionsStatement,
  setPasswordHash,
  type StaffRole,
} from '../../db/staff.ts';
import { generatePassword, hashPassword } from './auth.ts';
import { newTotpSecret, sealSecret, totpUri } from './second-factor.ts';
import { insertTotpStatement, resetFactorsStatements } from '../../db/staff-mfa.ts';
import type { Config } from '../env.ts';

export const DEMO_STAFF: readonly { username: string; displayName: string; role: StaffRole; unit: string }[] = [
  { username: 'demo-coordinator', displayName: 'Điều phối (demo)', role: 'coordinator', unit: 'khanh-hoa' },
  { username: 'demo-handler', displayName: 'Xử lý (demo)', role: 'handler', unit: 'phuong-ninh-hoa' },
  { username: 'demo-publisher', displayName: 'Công bố (demo)', role: 'publisher', unit: 'khanh-hoa' },
  { username: 'demo-admin', displayName: 'Quản trị (demo)', role: 'admin', unit: 'khanh-hoa' },
  // Issue #10: officer results of the province's one-stop officials (docs/kiosk-and-officers.md).
  { username: 'demo-supervisor', displayName: 'Giám sát cán bộ (demo)', role: 'supervisor', unit: 'khanh-hoa' },
];

export interface DemoAccount {
  username: string;
  role: StaffRole;
  unit: string;
  password: string;
  /** Base32 TOTP secret and its otpauth:// URI, printed once beside the password. */
  totpSecret: string;
  totpUri: string;
}

/**
 * Creates the demo accounts, or gives existing ones new passwords (and ends their sessions).
 * Does nothing (returns []) when the database holds any other staff account.
 * @example for (const a of await seedDemoStaff(db)) console.log(`${a.username} ${a.password}`);
 */
export async function seedDemoStaff(db: Db, config: Config, now: Date = new Date()): Promise<DemoAccount[]> {
  // A database with real accounts is not a demo: never add accounts with printed passwords to it.
  const demoNames = DEMO_STAFF.map((d) => d.username);
  const real = await db.client.execute({
    sql: `SELECT count(*) AS n FROM staff WHERE username NOT IN (${demoNames.map(() => '?').join(', ')})`,
    args: demoNames,
  });
  if (Number(real.rows[0]!.n) > 0) return [];
  const out: DemoAccount[] = [];
  for (const d of DEMO_STAFF) {
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    const existing = await findStaffByUsername(db.client, d.username);
    let id: number;
    if (existing) {
      id = existing.id;
      await setPasswordHash(db.client, existing.id, passwordHash);
      await db.client.execute(revokeAllSessionsStatement(existing.id, now));
    } else {
      id = await createStaff(db.client, {
        username: d.username,
        displayName: d.displayName,
        passwordHash,
        roles: [{ role: d.role, unit: d.unit }],
        now,
      });
    }
    // Last start's factors (a passkey or codes a tester enrolled) go with last start's password.
    const totpSecret = newTotpSecret();
    await db.client.batch(
      [...resetFactorsStatements(id), insertTotpStatement(id, sealSecret(config, totpSecret), now, null)],
      'write',
    );
    out.push({
      username: d.username,
      role: d.role,
      unit: d.unit,
      password,
      totpSecret,
      totpUri: totpUri(totpSecret, d.username),
    });
  }
  return out;
}
