-- Dead letters keep at most MAX_DEAD_LETTER_TEXT_LENGTH characters of the line (a huge message
-- must not be stored whole); raw_length keeps the line's original length in characters, so a
-- truncated row says so (raw_length > length(raw_text)). A nullable column without a default is a
-- metadata-only change: no table rewrite under an exclusive lock, and ingestion processes of the
-- previous version (a rolling upgrade) still insert. Rows written before this migration keep
-- raw_length NULL: they were stored whole, and age out through the pruner's retention.
ALTER TABLE dead_letters ADD COLUMN raw_length integer;
