-- Units and procedures are copies of content/ (the files are the truth); they let the API check
-- references and join statistics without reading YAML on every request.
CREATE TABLE units (
  id TEXT PRIMARY KEY,
  parent_id TEXT REFERENCES units(id),
  kind TEXT NOT NULL,
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  successor_id TEXT REFERENCES units(id)
);

CREATE TABLE procedures (
  code TEXT PRIMARY KEY,
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL,
  field TEXT NOT NULL,
  level TEXT NOT NULL,
  processing_days REAL NOT NULL
);

CREATE TABLE procedure_units (
  procedure_code TEXT NOT NULL REFERENCES procedures(code) ON DELETE CASCADE,
  unit_id TEXT NOT NULL REFERENCES units(id),
  PRIMARY KEY (procedure_code, unit_id)
);

-- "Was this page useful?" on procedure pages (issue #2). No personal data: no IP, no cookie.
CREATE TABLE page_usefulness (
  id INTEGER PRIMARY KEY,
  procedure_code TEXT NOT NULL REFERENCES procedures(code),
  useful INTEGER NOT NULL CHECK (useful IN (0, 1)),
  comment TEXT CHECK (comment IS NULL OR length(comment) <= 1000),
  locale TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- Counts kept in the same batch as each vote, so the figures never scan raw rows.
CREATE TABLE page_usefulness_rollup (
  procedure_code TEXT PRIMARY KEY REFERENCES procedures(code),
  useful INTEGER NOT NULL DEFAULT 0,
  not_useful INTEGER NOT NULL DEFAULT 0
);
