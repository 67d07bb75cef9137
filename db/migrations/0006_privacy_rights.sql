-- The law in force and the sender's rights (issue #7 part 4, docs/privacy.md): the version of the
-- privacy notice each case was collected under, and the sender's requests to correct or delete
-- their contact data.
-- Note for readers: db/migrate.ts splits this file on a semicolon at the end of a line, so no
-- comment line ends with a semicolon.

-- Which privacy notice (content/privacy/notice.yaml, by id) the sender was shown when the case was
-- received. Cases received before this migration were collected under the notice that cited
-- Nghị định 13/2023/NĐ-CP: they are marked so, honestly, and never relabelled.
ALTER TABLE feedback ADD COLUMN notice_version TEXT NOT NULL DEFAULT '2023-nd13';

-- A sender's request about their contact data (Luật 91/2025/QH15: the right to correct and to
-- delete). Staff carry it out or refuse it with a reason, within the period of
-- content/privacy/rights.yaml counted in working days (due_at). The new values of a correction are
-- personal data: they are blanked once the request is decided.
CREATE TABLE data_requests (
  id INTEGER PRIMARY KEY,
  feedback_id INTEGER NOT NULL REFERENCES feedback(id),
  kind TEXT NOT NULL CHECK (kind IN ('correct', 'delete')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'refused')),
  requested_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  -- The sender's reason, in their words (may hold personal data: never published, never logged).
  reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  -- JSON object of the new values of a correction (name, phone, email, address), NULL once decided.
  corrections TEXT CHECK (corrections IS NULL OR json_valid(corrections)),
  decided_at TEXT,
  staff_id INTEGER REFERENCES staff(id),
  -- The reason of a refusal, told to the sender, or a note on what was done.
  decision_note TEXT CHECK (decision_note IS NULL OR length(decision_note) <= 1000),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX data_requests_by_status_due ON data_requests (status, due_at);
CREATE INDEX data_requests_by_feedback ON data_requests (feedback_id, id);
-- At most one open request of each kind per case: a second one is refused until the first is decided.
CREATE UNIQUE INDEX data_requests_one_pending ON data_requests (feedback_id, kind) WHERE status = 'pending';
