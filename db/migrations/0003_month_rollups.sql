-- Monthly sums beside the daily ones (issue #3 performance target: a year's statistics read at
-- most twelve months of rows plus the days of two partial months, however many ratings are
-- stored). Written in the same batch as the daily rows, rebuilt with them.
CREATE TABLE rating_rollups_month (
  unit_id TEXT NOT NULL,
  procedure_code TEXT NOT NULL,
  instrument_version TEXT NOT NULL,
  month TEXT NOT NULL,
  verified INTEGER NOT NULL,
  metric TEXT NOT NULL,
  value TEXT NOT NULL,
  n INTEGER NOT NULL,
  sum REAL NOT NULL,
  sumsq REAL NOT NULL,
  -- procedure_code before month: a query for all procedures ('') reads only those rows, however
  -- many procedures the subtree has.
  PRIMARY KEY (unit_id, instrument_version, procedure_code, month, verified, metric, value)
) WITHOUT ROWID;

INSERT INTO rating_rollups_month (unit_id, procedure_code, instrument_version, month, verified, metric, value, n, sum, sumsq)
  SELECT unit_id, procedure_code, instrument_version, substr(day, 1, 7), verified, metric, value, sum(n), sum(sum), sum(sumsq)
  FROM rating_rollups
  GROUP BY unit_id, procedure_code, instrument_version, substr(day, 1, 7), verified, metric, value;
