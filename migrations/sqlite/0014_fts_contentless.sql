-- The full-text index without its own copy of the statements (FTS5 `content=''`): it kept the text, context and
-- topic terms of every statement beside the statements themselves (37.5 MB of a 366 MB archive of 100,000).
-- Ranking reads them from the statements and their topics instead (src/storage/sqlite/statements.fts.ts).
-- `contentless_delete=1` lets rows be deleted and replaced by rowid, as before. The prefix indexes stay at 3
-- to 6 characters (docs/performance.md, Search). The rows are copied from the old index, the very strings
-- it was given, with a large buffer of pending terms for the copy, then merged into one segment; then the
-- stored settings (rank, automerge, and the hashsize of 0009 or a bulk load's) are copied over.
DROP TRIGGER `statements_fts_delete`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `statements_fts_contentless` USING fts5(`text`, `context`, `topics`, tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5 6', content = '', contentless_delete = 1);
--> statement-breakpoint
INSERT INTO `statements_fts_contentless`(`statements_fts_contentless`, `rank`) VALUES ('hashsize', 134217728);
--> statement-breakpoint
INSERT INTO `statements_fts_contentless`(`rowid`, `text`, `context`, `topics`)
  SELECT `rowid`, `text`, `context`, `topics` FROM `statements_fts` ORDER BY `rowid`;
--> statement-breakpoint
INSERT INTO `statements_fts_contentless`(`statements_fts_contentless`) VALUES ('optimize');
--> statement-breakpoint
INSERT INTO `statements_fts_contentless`(`statements_fts_contentless`, `rank`)
  SELECT `k`, `v` FROM `statements_fts_config` WHERE `k` IN ('rank', 'automerge', 'hashsize');
--> statement-breakpoint
DROP TABLE `statements_fts`;
--> statement-breakpoint
ALTER TABLE `statements_fts_contentless` RENAME TO `statements_fts`;
--> statement-breakpoint
CREATE TRIGGER `statements_fts_delete` AFTER DELETE ON `statements` BEGIN
  DELETE FROM `statements_fts` WHERE `rowid` = old.`doc`;
END;
