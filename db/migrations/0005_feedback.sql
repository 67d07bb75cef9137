-- Feedback and petitions, phản ánh and kiến nghị (issue #4, DOMAIN §7, DESIGN §3): the case, the
-- sender's personal data kept apart, an append-only history, messages (answers, requests for
-- information and the sender's replies), attachments, publication, the sender's rating of the
-- answer, magic links and the e-mail outbox.
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
  -- The unit responsible now. When the sender names none, the province receives and classifies
  -- the case (RECEIVING_UNIT in db/feedback.ts). Transfer and assignment change it.
  unit_id TEXT NOT NULL REFERENCES units(id),
  procedure_code TEXT REFERENCES procedures(code),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  content TEXT NOT NULL CHECK (length(content) BETWEEN 1 AND 5000),
  channel TEXT NOT NULL CHECK (channel IN ('web', 'hotline', 'letter', 'email', 'in-person', 'national-portal')),
  -- Issue #4 lifecycle (api/feedback/workflow.ts is the only writer of transitions).
  status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'classified', 'assigned', 'in-progress',
    'info-requested', 'answered', 'published', 'closed', 'rejected', 'transferred', 'disputed')),
  -- Whether the content may be published, and separately whether the sender's name may be shown.
  publish_content INTEGER NOT NULL CHECK (publish_content IN (0, 1)),
  show_name INTEGER NOT NULL DEFAULT 0 CHECK (show_name IN (0, 1)),
  received_at TEXT NOT NULL,
  -- Working-day deadlines (api/deadlines/calendar.ts), UTC instants. answer_due_at is recomputed
  -- at classification and moved by the one extension.
  classify_due_at TEXT NOT NULL,
  answer_due_at TEXT NOT NULL,
  classified_at TEXT,
  answered_at TEXT,
  closed_at TEXT,
  -- Until when the sender may dispute the answer (calendar days from the answer).
  dispute_until TEXT,
  extension_count INTEGER NOT NULL DEFAULT 0,
  -- A retry with the same key returns this case; the keyed hash of the request tells a retry from
  -- a key reused for something else. NULL for cases entered by staff (other channels).
  idempotency_key TEXT UNIQUE,
  request_hash TEXT,
  locale TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- Counts the steps taken: each event names the version it was decided on (see the trigger).
  version INTEGER NOT NULL DEFAULT 0,
  -- Title, content and code folded for diacritic-free search in the staff inbox (foldForSearch).
  search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feedback_by_unit_status ON feedback (unit_id, status, answer_due_at);
CREATE INDEX feedback_by_status_due ON feedback (status, answer_due_at);

-- The sender's personal data, apart from the case so it can be purged on its own (retain_until)
-- and is never joined into a public query. Only staff of the case's unit read it, and every read
-- is audited.
CREATE TABLE feedback_contacts (
  feedback_id INTEGER PRIMARY KEY REFERENCES feedback(id),
  name TEXT NOT NULL,
  phone TEXT,
  email TEXT,
  address TEXT,
  retain_until TEXT NOT NULL,
  -- The web form asks for a phone or an e-mail; a letter entered by staff may carry only an address.
  CHECK (phone IS NOT NULL OR email IS NOT NULL OR address IS NOT NULL)
);
CREATE INDEX feedback_contacts_by_retention ON feedback_contacts (retain_until);

-- Append-only history: the action, who (actor 'citizen', 'system' or 'staff'), when, from which
-- status to which, the unit responsible after it, and the note the sender is told (a reason for a
-- rejection, an extension or a transfer, the information requested). from_status is NULL on the
-- first event.
CREATE TABLE feedback_events (
  id INTEGER PRIMARY KEY,
  feedback_id INTEGER NOT NULL REFERENCES feedback(id),
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL CHECK (actor IN ('citizen', 'system', 'staff')),
  staff_id INTEGER REFERENCES staff(id),
  from_status TEXT,
  to_status TEXT NOT NULL,
  unit_id TEXT NOT NULL REFERENCES units(id),
  note TEXT CHECK (note IS NULL OR length(note) <= 2000),
  -- The case's version the step was decided on; NULL only for the first event.
  case_version INTEGER
);
CREATE INDEX feedback_events_by_feedback ON feedback_events (feedback_id, id);

CREATE TRIGGER feedback_events_no_update BEFORE UPDATE ON feedback_events BEGIN SELECT RAISE(ABORT, 'feedback_events is append-only'); END;

-- An event is written before the change it records, from the status and version the case has at
-- that moment: a second step racing the first (two staff clicking at once, two extensions, a
-- reject after a transfer) aborts its whole batch.
CREATE TRIGGER feedback_events_from_current BEFORE INSERT ON feedback_events WHEN NEW.from_status IS NOT NULL AND (NEW.from_status IS NOT (SELECT status FROM feedback WHERE id = NEW.feedback_id) OR (NEW.case_version IS NOT NULL AND NEW.case_version IS NOT (SELECT version FROM feedback WHERE id = NEW.feedback_id))) BEGIN SELECT RAISE(ABORT, 'stale_feedback_status'); END;

CREATE TRIGGER feedback_events_no_delete BEFORE DELETE ON feedback_events BEGIN SELECT RAISE(ABORT, 'feedback_events is append-only'); END;

-- Texts exchanged on a case: the unit's answer (the latest counts), its request for information,
-- the sender's reply and the sender's reason for disputing an answer.
CREATE TABLE feedback_messages (
  id INTEGER PRIMARY KEY,
  feedback_id INTEGER NOT NULL REFERENCES feedback(id),
  at TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('answer', 'info-request', 'info-reply', 'dispute')),
  author TEXT NOT NULL CHECK (author IN ('citizen', 'staff')),
  staff_id INTEGER REFERENCES staff(id),
  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000)
);
CREATE INDEX feedback_messages_by_feedback ON feedback_messages (feedback_id, id);

-- Files: the sender's (message_id NULL: sent with the case, or with a reply) and the unit's (with
-- an answer). Only the allow-listed types, as re-encoded or checked by api/attachments/, never the
-- bytes as sent; file_name is the sanitised display name.
CREATE TABLE feedback_attachments (
  id INTEGER PRIMARY KEY,
  feedback_id INTEGER NOT NULL REFERENCES feedback(id),
  message_id INTEGER REFERENCES feedback_messages(id),
  author TEXT NOT NULL CHECK (author IN ('citizen', 'staff')),
  file_name TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 120),
  media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  size INTEGER NOT NULL CHECK (size BETWEEN 1 AND 10485760),
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX feedback_attachments_by_feedback ON feedback_attachments (feedback_id, id);

-- What the public sees of a published case: texts with personal data removed (api/redaction/),
-- reviewed and edited by the publisher. Only cases whose sender consented are published.
CREATE TABLE feedback_publications (
  feedback_id INTEGER PRIMARY KEY REFERENCES feedback(id),
  published_at TEXT NOT NULL,
  staff_id INTEGER NOT NULL REFERENCES staff(id),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  content TEXT NOT NULL CHECK (length(content) BETWEEN 1 AND 5000),
  answer TEXT NOT NULL CHECK (length(answer) BETWEEN 1 AND 20000),
  -- The sender's name as shown, only when they asked for it (show_name), else NULL.
  sender_name TEXT
);
CREATE INDEX feedback_publications_by_date ON feedback_publications (published_at);

-- The sender's rating of an answer (content/surveys/danh-gia-tra-loi.yaml): one per answer.
CREATE TABLE answer_ratings (
  feedback_id INTEGER NOT NULL REFERENCES feedback(id),
  message_id INTEGER NOT NULL REFERENCES feedback_messages(id),
  at TEXT NOT NULL,
  satisfied INTEGER NOT NULL CHECK (satisfied IN (0, 1)),
  reasons TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons)),
  -- Free text for the unit; never published.
  comment TEXT CHECK (comment IS NULL OR length(comment) <= 1000),
  PRIMARY KEY (feedback_id, message_id)
);

-- Magic links e-mailed to the sender: a second secret that opens the tracking page of one case.
-- Only its sha256 is stored; it expires.
CREATE TABLE feedback_links (
  token_hash TEXT PRIMARY KEY,
  feedback_id INTEGER NOT NULL REFERENCES feedback(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- E-mails to send (api/mail/). Written in the same batch as the change they report, sent by a
-- worker with retries; dedupe_key makes a repeated write a no-op. The recipient and body are
-- personal data: both are blanked once the mail is sent or abandoned.
CREATE TABLE email_outbox (
  id INTEGER PRIMARY KEY,
  dedupe_key TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  to_address TEXT,
  subject TEXT NOT NULL,
  body_text TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  sent_at TEXT,
  last_error TEXT
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
