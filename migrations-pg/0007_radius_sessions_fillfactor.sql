-- An Interim-Update changes a session's counters, times and address, none of them indexed: with
-- room left on the session's page PostgreSQL writes the new version there (a HOT update) and
-- touches none of the table's five indexes. Pages packed full (the default, 100) force every
-- Interim onto another page and into every index. Applies to pages written from now on.
ALTER TABLE "radius_sessions" SET (fillfactor = 70);
