-- Full-text index of statements: text, context, and the names and aliases of their topics.
-- Rows are keyed by statements.doc and written by the service in the same transaction as the statement.
CREATE VIRTUAL TABLE `statements_fts` USING fts5(`text`, `context`, `topics`, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
-- Rank by BM25 with the statement's own words weighing most, then its context, then its topics.
INSERT INTO `statements_fts`(`statements_fts`, `rank`) VALUES ('rank', 'bm25(10.0, 3.0, 2.0)');
--> statement-breakpoint
CREATE TRIGGER `statements_fts_delete` AFTER DELETE ON `statements` BEGIN
  DELETE FROM `statements_fts` WHERE `rowid` = old.`doc`;
END;
