-- Dead letters keep at most MAX_DEAD_LETTER_TEXT_LENGTH characters of the line (a huge message
-- must not be stored whole); raw_length keeps the line's original length in characters, so a
-- truncated row says so (raw_length > length(raw_text)). Rows written before this migration were
-- stored whole: cut them the same way. The id index serves the max-rows pruning (by age it is
-- dead_letters_received_at_idx).
ALTER TABLE dead_letters ADD COLUMN raw_length integer;
UPDATE dead_letters SET raw_length = length(raw_text), raw_text = left(raw_text, 8192);
ALTER TABLE dead_letters ALTER COLUMN raw_length SET NOT NULL;
