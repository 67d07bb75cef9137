-- Survey sampling (issue #10 §2; docs/reform-office.md "Random sample of dossiers"). A unit's
-- one-stop system may ask gopy to invite only a random sample of the dossiers it registers, so the
-- verified sample is not chosen at the counter. One plan per unit and month of return: the rate
-- (share of dossiers invited) is fixed when the plan is made, from the dossiers of the month before
-- and Slovin's sample size; a dossier is invited when sha256(seed, unit, code) read as a number in
-- [0, 1) is below the rate. The seed stays secret during the month (a system that knew it could
-- pick codes) and is shown to staff afterwards, so anyone can recompute which dossiers were invited.
CREATE TABLE sample_plans (
  unit_id TEXT NOT NULL REFERENCES units(id),
  month TEXT NOT NULL,
  seed TEXT NOT NULL,
  margin REAL NOT NULL,
  expected INTEGER NOT NULL,
  needed INTEGER NOT NULL,
  response_rate REAL NOT NULL,
  rate REAL NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (unit_id, month)
) WITHOUT ROWID;

-- Dossiers of a period (coverage counts invitations by the day of return).
CREATE INDEX dossiers_by_returned ON dossiers (returned_at);

-- Self-selected ratings of one counter in time order (the burst rule of the reform office's flags).
CREATE INDEX responses_self_selected_by_counter ON responses (unit_id, counter, created_at)
  WHERE verified = 0 AND counter IS NOT NULL;
