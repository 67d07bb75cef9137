-- Feedback and petitions, phản ánh and kiến nghị (issue #4, DOMAIN §7, DESIGN §3): the case, the
-- sender's personal data kept apart, and an append-only history.
-- Note for readers: db/migrate.ts splits this file on a semicolon at the end of a line, so the
-- trigger bodies below are written on one line and no comment line ends with a semicolon.

-- One case. No personal data here: the sender is in feedback_contacts.
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  -- Short public code "XXXX-XXXX" from an alphabet without look-alike characters.
  tracking_code TEXT NOT NULL UNIQUE,
  -- sha256 (hex) of the secret access key shown to the sender once, never the key itself.
  access_key_hash TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('phan-anh', 'kien-nghi')),
  subject TEXT NOT NULL CHECK (subject IN ('quy-dinh', 'hanh-vi', 'khac')),
  -- The handling unit. NULL when the sender named none: the province (unit 'khanh-hoa') then
  -- receives it and classifies it, and the tracking page shows the province as handling unit.
  unit_id TEXT REFERENCES units(id),
  procedure_code TEXT REFERENCES procedures(code),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  content TEXT NOT NULL CHECK (length(content) BETWEEN 1 AND 5000),
  channel TEXT NOT NULL CHECK (channel IN ('web', 'hotline', 'letter', 'email', 'in-person', 'national-portal')),
  -- DOMAIN §7 lifecycle. Every change is also a row in feedback_events.
  status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'accepted', 'rejected', 'transferred',
    'assigned', 'in-progress', 'info-requested', 'answered', 'published', 'reexamination')),
  -- Whether the content may be published, and separately whether the sender's name may be shown.
  publish_content INTEGER NOT NULL CHECK (publish_content IN (0, 1)),
  show_name INTEGER NOT NULL DEFAULT 0 CHECK (show_name IN (0, 1)),
  received_at TEXT NOT NULL,
  -- Working-day deadlines (api/deadlines/calendar.ts), UTC instants.
  classify_due_at TEXT NOT NULL,
  answer_due_at TEXT NOT NULL,
  -- A retry with the same key returns this case; the keyed hash of the request tells a retry from
  -- a key reused for something else. NULL for cases entered by staff (other channels).
  idempotency_key TEXT UNIQUE,
  request_hash TEXT,
  locale TEXT NOT NULL
);
CREATE INDEX feedback_by_unit_status ON feedback (unit_id, status);

-- The sender's personal data, apart from the case so it can be purged on its own (retain_until)
-- and is never joined into a public query. Only staff handling the case read it.
CREATE TABLE feedback_contacts (
  feedback_id INTEGER PRIMARY KEY REFERENCES feedback(id),
  name TEXT NOT NULL,
  phone TEXT,
  email TEXT,
  address TEXT,
  retain_until TEXT NOT NULL,
  CHECK (phone IS NOT NULL OR email IS NOT NULL)
);
CREATE INDEX feedback_contacts_by_retention ON feedback_contacts (retain_until);

-- Append-only history: who (actor 'citizen', 'system' or a staff id), when, from which status to
-- which, and why. from_status is NULL on the first event ('received').
CREATE TABLE feedback_events (
  id INTEGER PRIMARY KEY,
  feedback_id INTEGER NOT NULL REFERENCES feedback(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX feedback_events_by_feedback ON feedback_events (feedback_id, at);

CREATE TRIGGER feedback_events_no_update BEFORE UPDATE ON feedback_events BEGIN SELECT RAISE(ABORT, 'feedback_events is append-only'); END;

CREATE TRIGGER feedback_events_no_delete BEFORE DELETE ON feedback_events BEGIN SELECT RAISE(ABORT, 'feedback_events is append-only'); END;
