-- The size of the full-text index's buffer of pending terms, written down at FTS5's default (1 MiB: past it,
-- the buffer is written out as a new segment), so that a bulk load, which raises it while it builds the index
-- from the stored statements (a few large segments to merge instead of thousands of small ones), has a stored
-- value to put back.
INSERT INTO `statements_fts`(`statements_fts`, `rank`) VALUES ('hashsize', 1048576);
