-- intarray (a trusted contrib extension shipped with PostgreSQL) provides `integer[] | integer[]`:
-- the sorted union of two sorted sets of distinct integers, in C. watch_progress.minutes uses it
-- when a batch's minutes do not simply extend the stored set (a rewind or a replayed minute),
-- instead of ARRAY(SELECT DISTINCT ... ORDER BY ...), which sorted in a subquery per row and was
-- about 60 % of the batch statement's time (auto_explain, 500,000-event benchmark).
-- Note for readers of this database: intarray also overloads @>, <@ and && on integer[].
CREATE EXTENSION IF NOT EXISTS intarray;
