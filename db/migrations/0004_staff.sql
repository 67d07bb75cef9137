-- Staff sign-in (issue #4). Usernames are stored NFC and lower-cased, so "Lan" and "lan" are one
-- account. Passwords are argon2id PHC strings; nothing here holds a password or a session id.
CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64 AND username = lower(username)),
  display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL
);

-- Each role covers the subtree rooted at unit_id (the unit and every unit below it).
CREATE TABLE staff_roles (
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('coordinator', 'handler', 'publisher', 'admin')),
  unit_id TEXT NOT NULL REFERENCES units(id),
  PRIMARY KEY (staff_id, role, unit_id)
);

-- Server-side sessions: only sha256 of the session id and of its CSRF token are stored, so a copy
-- of the database cannot be used to sign in. expires_at is the absolute end; idle is last_seen_at.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  csrf_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX sessions_staff ON sessions (staff_id, revoked_at);

-- Sign-in throttling: one fixed window per bucket, a keyed hash of the username or of the client
-- address (no raw username or address is stored).
CREATE TABLE login_attempts (
  bucket TEXT PRIMARY KEY,
  window_start TEXT NOT NULL,
  count INTEGER NOT NULL
);

-- Every staff action and every view of personal data (issue #4). details never holds personal
-- data. Append-only: the triggers below refuse any change to a written row.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  staff_id INTEGER REFERENCES staff(id),
  action TEXT NOT NULL,
  target_type TEXT,
  target_id TEXT,
  unit_id TEXT,
  details TEXT CHECK (details IS NULL OR json_valid(details))
);
CREATE INDEX audit_log_staff ON audit_log (staff_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
