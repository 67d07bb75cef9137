/**
 * `npm run staff -- <command>`: staff accounts (issue #4). Uses the database of DATABASE_URL
 * (migrated and filled from content/ first, as on start).
 *
 *   node scripts/staff.ts create <username> <display-name> <role>:<unit-id> [<role>:<unit-id> …]
 *       Creates the account and prints its generated password once (only an argon2id hash is
 *       stored). Roles: coordinator, handler, publisher, admin; each covers the unit's subtree.
 *   node scripts/staff.ts revoke-sessions <username>
 *       Ends every session of the account at once (a lost laptop, a person who left).
 *   node scripts/staff.ts reset-second-factor <username>
 *       Removes the account's second factors and recovery codes and ends its sessions (a lost
 *       phone of an admin with no admin above; docs/staff-security.md). It enrols again at sign-in.
 */
import { commandLine, type Output } from './cli.ts';
import type { Config } from '../api/env.ts';
import { prepareDatabase } from '../api/server.ts';
import { generatePassword, hashPassword } from '../api/staff/auth.ts';
import {
  auditStatement,
  createStaff,
  findStaffByUsername,
  normalizeUsername,
  revokeAllSessionsStatement,
  staffRoles,
  type StaffRole,
} from '../db/staff.ts';
import { knownCodes } from '../db/units.ts';
import { resetFactorsStatements } from '../db/staff-mfa.ts';
import { STAFF_USERNAME } from '../api/contracts/staff.ts';

const USAGE = `usage:
  npm run staff -- create <username> <display-name> <role>:<unit-id> [<role>:<unit-id> …]
  npm run staff -- revoke-sessions <username>
  npm run staff -- reset-second-factor <username>
roles: ${staffRoles.join(', ')}
`;

async function create(config: Config, args: string[], out: Output, err: Output): Promise<number> {
  const [rawName, displayName, ...grants] = args;
  if (!rawName || !displayName || grants.length === 0) {
    err.write(USAGE);
    return 2;
  }
  const username = normalizeUsername(rawName);
  if (!STAFF_USERNAME.test(username)) {
    err.write('username: 3–64 lower-case letters, digits, ".", "_" or "-"\n');
    return 2;
  }
  const roles: { role: StaffRole; unit: string }[] = [];
  for (const g of grants) {
    const [role, unit] = g.split(':');
    if (!role || !unit || !(staffRoles as readonly string[]).includes(role)) {
      err.write(`not a <role>:<unit-id>: ${g}\n${USAGE}`);
      return 2;
    }
    roles.push({ role: role as StaffRole, unit });
  }
  const { db } = await prepareDatabase(config);
  try {
    const { units } = await knownCodes(db.client);
    const unknown = roles.find((r) => !units.has(r.unit));
    if (unknown) {
      err.write(`unknown unit: ${unknown.unit}\n`);
      return 1;
    }
    if (await findStaffByUsername(db.client, username)) {
      err.write(`the username ${username} is taken\n`);
      return 1;
    }
    const password = generatePassword();
    const now = new Date();
    const id = await createStaff(
      db.client,
      { username, displayName, passwordHash: await hashPassword(password), roles, now },
      { at: now, staffId: null, action: 'staff_create', details: { via: 'cli' } },
    );
    err.write(`Staff #${id} created. The password is shown only now:\n`);
    out.write(`${password}\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function revokeSessions(config: Config, args: string[], out: Output, err: Output): Promise<number> {
  return endSessions(config, args, out, err, false);
}

async function resetSecondFactor(config: Config, args: string[], out: Output, err: Output): Promise<number> {
  return endSessions(config, args, out, err, true);
}

async function endSessions(
  config: Config,
  args: string[],
  out: Output,
  err: Output,
  resetFactors: boolean,
): Promise<number> {
  const [rawName] = args;
  if (!rawName || args.length !== 1) {
    err.write(USAGE);
    return 2;
  }
  const { db } = await prepareDatabase(config);
  try {
    const staff = await findStaffByUsername(db.client, rawName);
    if (!staff) {
      err.write('no such staff member\n');
      return 1;
    }
    const now = new Date();
    const [rs] = await db.client.batch(
      [
        revokeAllSessionsStatement(staff.id, now),
        ...(resetFactors ? resetFactorsStatements(staff.id) : []),
        auditStatement({
          at: now,
          staffId: null,
          action: resetFactors ? 'staff_reset_second_factor' : 'revoke_sessions',
          targetType: 'staff',
          targetId: String(staff.id),
          details: { via: 'cli' },
        }),
      ],
      'write',
    );
    if (resetFactors) err.write('Second factors and recovery codes removed; the account enrols again at sign-in.\n');
    out.write(`${rs!.rowsAffected} session(s) revoked\n`);
    return 0;
  } finally {
    db.close();
  }
}

/** Runs one command; returns the exit code. Tests call this in-process. */
export const main = commandLine(
  { create, 'revoke-sessions': revokeSessions, 'reset-second-factor': resetSecondFactor },
  USAGE,
);

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
