-- Satisfaction ratings (issue #3): instruments by version, dossiers and one-time survey tokens,
-- responses and answers, rollups kept in the same write, idempotency and abuse controls.

-- Every version of every instrument a citizen has seen; responses point at one.
CREATE TABLE instrument_versions (
  version TEXT PRIMARY KEY,
  instrument_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX instrument_versions_by_id ON instrument_versions (instrument_id);

-- Keys of the one-stop systems that register dossiers, one or more per unit, stored hashed.
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  key_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

-- Returned dossiers registered by a one-stop system: on-time/late figures and survey tokens.
CREATE TABLE dossiers (
  id INTEGER PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  code TEXT NOT NULL,
  procedure_code TEXT REFERENCES procedures(code),
  received_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  returned_at TEXT NOT NULL,
  on_time INTEGER NOT NULL CHECK (on_time IN (0, 1)),
  created_at TEXT NOT NULL,
  UNIQUE (unit_id, code)
);

-- One-time survey tokens: only the hash is stored; one per dossier (one rating per dossier).
CREATE TABLE survey_tokens (
  token_hash TEXT PRIMARY KEY,
  dossier_id INTEGER NOT NULL UNIQUE REFERENCES dossiers(id),
  instrument_id TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  redeemed_at TEXT
);

CREATE TABLE responses (
  id INTEGER PRIMARY KEY,
  instrument_version TEXT NOT NULL REFERENCES instrument_versions(version),
  unit_id TEXT NOT NULL REFERENCES units(id),
  procedure_code TEXT REFERENCES procedures(code),
  counter TEXT,
  dossier_id INTEGER UNIQUE REFERENCES dossiers(id),
  verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
  locale TEXT NOT NULL,
  -- Calendar day in Asia/Ho_Chi_Minh, the bucket of every statistic.
  day TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- A retry with the same key returns this response instead of writing another; the hash of the
  -- request tells a true retry from a key reused for different answers.
  idempotency_key TEXT NOT NULL UNIQUE,
  request_hash TEXT NOT NULL
);

CREATE TABLE answers (
  response_id INTEGER NOT NULL REFERENCES responses(id),
  question_id TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX answers_by_response ON answers (response_id);

-- Sums per unit subtree, procedure ('' = all procedures), instrument version, day and trust level:
-- statistics read these and never scan answers. A response adds its cells to its unit and every
-- ancestor (db/units.ts), so a subtree's figure is one key range. `value` is the answer bucket (a
-- scale point, an option, points) or '' for numeric aggregates; pseudo-metrics start with '_'
-- (api/scoring).
CREATE TABLE rating_rollups (
  unit_id TEXT NOT NULL,
  procedure_code TEXT NOT NULL,
  instrument_version TEXT NOT NULL,
  day TEXT NOT NULL,
  verified INTEGER NOT NULL,
  metric TEXT NOT NULL,
  value TEXT NOT NULL,
  n INTEGER NOT NULL,
  sum REAL NOT NULL,
  sumsq REAL NOT NULL,
  PRIMARY KEY (unit_id, instrument_version, day, procedure_code, verified, metric, value)
) WITHOUT ROWID;

-- Dossier timeliness per unit, procedure and day of return.
CREATE TABLE dossier_rollups (
  unit_id TEXT NOT NULL,
  procedure_code TEXT NOT NULL,
  day TEXT NOT NULL,
  total INTEGER NOT NULL,
  on_time INTEGER NOT NULL,
  PRIMARY KEY (unit_id, day, procedure_code)
) WITHOUT ROWID;

-- Fixed-window counters for open (self-selected) responses, per client and unit. Kept in the
-- database so several API instances share them (DESIGN §5).
CREATE TABLE rate_limits (
  bucket TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
) WITHOUT ROWID;

-- Proof-of-work solutions already used, so a solved challenge cannot be replayed.
CREATE TABLE pow_used (
  signature TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Server secrets generated on first start and shared by every API instance through the database
-- (HMAC key of the proof-of-work challenges, pepper of hashed client addresses).
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
