-- The staff inbox search must not be an oracle for personal data (issue #7 part 4): members who
-- read redacted text (publishers, admins, and any account holding such a role over the case)
-- search the redacted text. title_redacted and search_redacted are the title and the folded code,
-- title and content after api/redaction/ with the sender's own details, computed when the case is
-- written. NULL = not computed yet: existing rows are filled in on start
-- (api/feedback/redacted-search.ts); until then they match no redacted search.
ALTER TABLE feedback ADD COLUMN title_redacted TEXT;
ALTER TABLE feedback ADD COLUMN search_redacted TEXT;
