-- The full-text index's merge setting, written down at FTS5's default (4: a level's segments are merged once
-- four of them are there), so that a bulk load, which raises it while it writes (fewer rewrites of the index)
-- and optimizes the index at its end, has a stored value to put back.
INSERT INTO `statements_fts`(`statements_fts`, `rank`) VALUES ('automerge', 4);
