-- Full-text search over the folded texts (issue #8 §8): the staff inbox and the published list
-- searched every row with LIKE '%…%' or in JavaScript, a full scan at a million cases. SQLite FTS5
-- indexes the words; the texts stay folded by api/contracts/text.ts `foldForSearch` (FTS5's own
-- remove_diacritics does not turn đ into d), so the tokenizer only splits and lower-cases.
--
-- External-content tables: the text lives once, in feedback and feedback_publications; triggers
-- keep the index in step with every write, whatever code path writes. prefix='2 3' adds indexes of
-- the first two and three letters of every word, so a short word searched as a word beginning does
-- not merge the lists of every word it begins.

-- The inbox: the folded title, content and code, and its redacted twin (migration 0008).
CREATE VIRTUAL TABLE feedback_search USING fts5(search_text, search_redacted, content='feedback', content_rowid='id', tokenize='unicode61', prefix='2 3');

CREATE TRIGGER feedback_search_insert AFTER INSERT ON feedback BEGIN INSERT INTO feedback_search (rowid, search_text, search_redacted) VALUES (NEW.id, NEW.search_text, NEW.search_redacted); END;

CREATE TRIGGER feedback_search_delete AFTER DELETE ON feedback BEGIN INSERT INTO feedback_search (feedback_search, rowid, search_text, search_redacted) VALUES ('delete', OLD.id, OLD.search_text, OLD.search_redacted); END;

CREATE TRIGGER feedback_search_update AFTER UPDATE OF search_text, search_redacted ON feedback BEGIN INSERT INTO feedback_search (feedback_search, rowid, search_text, search_redacted) VALUES ('delete', OLD.id, OLD.search_text, OLD.search_redacted); INSERT INTO feedback_search (rowid, search_text, search_redacted) VALUES (NEW.id, NEW.search_text, NEW.search_redacted); END;

INSERT INTO feedback_search (feedback_search) VALUES ('rebuild');

-- The published list: the publication's own texts and the code, folded when published
-- (api/feedback/service.ts); NULL for rows from before this migration until the start fills them
-- (api/feedback/redacted-search.ts `backfillPublishedSearch`).
ALTER TABLE feedback_publications ADD COLUMN search_folded TEXT;

CREATE VIRTUAL TABLE published_search USING fts5(search_folded, content='feedback_publications', content_rowid='feedback_id', tokenize='unicode61', prefix='2 3');

CREATE TRIGGER published_search_insert AFTER INSERT ON feedback_publications BEGIN INSERT INTO published_search (rowid, search_folded) VALUES (NEW.feedback_id, NEW.search_folded); END;

CREATE TRIGGER published_search_delete AFTER DELETE ON feedback_publications BEGIN INSERT INTO published_search (published_search, rowid, search_folded) VALUES ('delete', OLD.feedback_id, OLD.search_folded); END;

CREATE TRIGGER published_search_update AFTER UPDATE OF search_folded ON feedback_publications BEGIN INSERT INTO published_search (published_search, rowid, search_folded) VALUES ('delete', OLD.feedback_id, OLD.search_folded); INSERT INTO published_search (rowid, search_folded) VALUES (NEW.feedback_id, NEW.search_folded); END;

-- Open311 and the statistics read cases by the day they were received.
CREATE INDEX feedback_by_received ON feedback (received_at);

-- The inbox order (db/feedback-cases.ts `inboxStatements`), with the unit to check the scope: open cases first by the deadline of
-- their current step, then finished ones newest first. The expressions must stay those of the
-- query, with the finished statuses of api/contracts/feedback.ts `closedFeedbackStatuses`, so a
-- page is read in this order instead of sorting every case in scope (api/feedback/inbox-plan.test.ts).
CREATE INDEX feedback_inbox_order ON feedback ((status IN ('answered', 'published', 'closed', 'rejected', 'transferred')), (CASE WHEN status IN ('answered', 'published', 'closed', 'rejected', 'transferred') THEN NULL ELSE CASE WHEN status = 'received' THEN classify_due_at ELSE answer_due_at END END), received_at DESC, id, unit_id);
