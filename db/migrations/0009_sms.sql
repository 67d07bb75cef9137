-- Issue #11 part 1: SMS beside e-mail (docs/sms.md). The sender's choice of channel, the SMS
-- outbox, the gateway's message ids (one per part, for delivery receipts) and the opt-out list.

-- What the sender chose on the form: 'email', 'sms' or 'none'. NULL (older cases, API clients that
-- do not say): e-mail when an address was given, else SMS when a phone was given.
ALTER TABLE feedback_contacts ADD COLUMN notify TEXT CHECK (notify IN ('email', 'sms', 'none'));

-- One text message, written in the batch of the step it reports (as email_outbox). The phone and
-- the text are personal data: both are blanked once every part is accepted by the gateway, or the
-- message is abandoned or cancelled. kind names the template ('receipt', 'status:answered',
-- 'invite'): no personal data.
CREATE TABLE sms_outbox (
  id INTEGER PRIMARY KEY,
  dedupe_key TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  kind TEXT NOT NULL,
  to_phone TEXT,
  body_text TEXT,
  -- The keyed hash of the number (as in sms_optouts), kept after the number is blanked, so an
  -- opt-out can cancel what is still queued for it.
  phone_key TEXT NOT NULL,
  encoding TEXT NOT NULL CHECK (encoding IN ('ucs2', 'gsm7')),
  parts INTEGER NOT NULL CHECK (parts BETWEEN 1 AND 255),
  -- The concatenation reference of the UDH (0-255), the same in every part and every attempt, so a
  -- phone joins parts sent in different sessions.
  concat_ref INTEGER NOT NULL CHECK (concat_ref BETWEEN 0 AND 255),
  -- Parts the gateway accepted (their ids are in sms_gateway_ids); the next part to send.
  parts_accepted INTEGER NOT NULL DEFAULT 0,
  -- The part handed to the gateway and not yet answered: set (and committed) before submit_sm.
  inflight_part INTEGER,
  delivered_parts INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sent', 'delivered', 'undeliverable', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  sent_at TEXT,
  delivered_at TEXT,
  last_error TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);

-- The gateway's message id of each accepted part, stored before anything else is done with the
-- answer, so a restarted worker knows the part left and a delivery receipt finds its message.
CREATE TABLE sms_gateway_ids (
  gateway_id TEXT PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES sms_outbox(id),
  part INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'accepted' CHECK (state IN ('accepted', 'delivered', 'undeliverable')),
  UNIQUE (outbox_id, part)
);

-- Numbers that replied STOP or TUCHOI, or followed the opt-out link: a keyed hash of the number
-- (HMAC-SHA-256 with a server secret), never the number.
CREATE TABLE sms_optouts (
  phone_key TEXT PRIMARY KEY,
  at TEXT NOT NULL
);
