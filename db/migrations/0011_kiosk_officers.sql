-- Counter kiosks and officer-level results (issue #10 part 3; docs/kiosk-and-officers.md).

-- A new role, `supervisor`: reads the officer results of the officials of its unit subtree. SQLite
-- cannot change a CHECK, so the table is rebuilt with the same rows.
CREATE TABLE staff_roles_new (
  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('coordinator', 'handler', 'publisher', 'admin', 'supervisor')),
  unit_id TEXT NOT NULL REFERENCES units(id),
  PRIMARY KEY (staff_id, role, unit_id)
);
INSERT INTO staff_roles_new (staff_id, role, unit_id) SELECT staff_id, role, unit_id FROM staff_roles;
DROP TABLE staff_roles;
ALTER TABLE staff_roles_new RENAME TO staff_roles;

-- Officials of the one-stop counters, known only by the pseudonymous code their one-stop system
-- gives them (never a name). pin_hash: HMAC-SHA-256 with a server secret of the short sign-in code
-- typed at a kiosk; unique per unit so a code names one official. staff_id links the official's
-- own staff account, which may then read its own results.
CREATE TABLE officials (
  id INTEGER PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  code TEXT NOT NULL CHECK (length(code) BETWEEN 3 AND 32),
  pin_hash TEXT,
  staff_id INTEGER REFERENCES staff(id),
  created_at TEXT NOT NULL,
  UNIQUE (unit_id, code),
  UNIQUE (unit_id, pin_hash)
);
CREATE INDEX officials_staff ON officials (staff_id);

-- Device links of counter kiosks: only sha256 of the device secret is stored.
CREATE TABLE kiosk_devices (
  id INTEGER PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  counter TEXT NOT NULL,
  label TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  created_by INTEGER REFERENCES staff(id),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

-- A shift: an official signed in at a kiosk, from started_at until ended_at (or the next sign-in).
-- public_id is what the kiosk page holds, so a queued rating keeps the shift it was given in.
CREATE TABLE kiosk_shifts (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  device_id INTEGER NOT NULL REFERENCES kiosk_devices(id),
  official_id INTEGER NOT NULL REFERENCES officials(id),
  started_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX kiosk_shifts_device ON kiosk_shifts (device_id, started_at);
CREATE INDEX kiosk_shifts_official ON kiosk_shifts (official_id, started_at);

-- A rating given at a kiosk names its shift (NULL for every other rating).
ALTER TABLE responses ADD COLUMN shift_id INTEGER REFERENCES kiosk_shifts(id);
CREATE INDEX responses_shift ON responses (shift_id) WHERE shift_id IS NOT NULL;

-- The pseudonymous code of the official who handled a dossier, as the one-stop system sends it.
ALTER TABLE dossiers ADD COLUMN official_code TEXT;
CREATE INDEX dossiers_official ON dossiers (unit_id, official_code, returned_at) WHERE official_code IS NOT NULL;
