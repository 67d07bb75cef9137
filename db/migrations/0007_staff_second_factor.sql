-- Second factors of staff accounts (issue #7 part 4b, docs/staff-security.md). Nothing here opens an
-- account by itself: TOTP secrets are sealed with STAFF_MFA_KEY when one is configured, passkeys
-- hold only public keys, recovery codes only keyed hashes.
CREATE TABLE staff_totp (
  staff_id INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  -- The newest RFC 6238 time step accepted: a code of this step or an older one is a replay.
  last_step INTEGER,
  created_at TEXT NOT NULL
);

CREATE TABLE staff_passkeys (
  credential_id TEXT PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  public_key TEXT NOT NULL,
  counter INTEGER NOT NULL DEFAULT 0,
  transports TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX staff_passkeys_staff ON staff_passkeys (staff_id);

CREATE TABLE staff_recovery_codes (
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at TEXT,
  PRIMARY KEY (staff_id, code_hash)
);

-- Between a right password and the second factor: not a session (it opens no staff route), short
-- lived and single use. stage 'verify' waits for a factor, 'enrol' for the first one. challenge is
-- the WebAuthn challenge of the last options handed out; totp_secret the sealed secret offered
-- during enrolment (moved to staff_totp once a code proves the authenticator holds it).
CREATE TABLE staff_pending (
  id_hash TEXT PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('verify', 'enrol')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  challenge TEXT,
  totp_secret TEXT
);
CREATE INDEX staff_pending_staff ON staff_pending (staff_id);
