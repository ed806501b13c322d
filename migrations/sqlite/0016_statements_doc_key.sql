-- Statements keyed by their doc number (issue #21): `doc INTEGER PRIMARY KEY` is the rowid itself, so the row and
-- the full-text index share one key (a search hit is read in one B-tree) and the index that mapped doc to rowid
-- goes; `id` keeps its unique index. The table is rebuilt, which also drops `responds_to_id`, empty since 0010
-- (the links are in `statement_responds_to`), with its index and its foreign key to `statements`, which SQLite
-- could not drop in place.
--
-- Written by hand in place of drizzle-kit's rebuild: the migrator runs every pending migration in one
-- transaction, where `PRAGMA foreign_keys` does nothing, so the service turns foreign keys off around it
-- (migrateDatabase) and checks them after. Triggers that name `statements` are dropped first (a table cannot be
-- renamed while a trigger names a table that is gone) and made again, unchanged, once the indexes are built.
DROP TRIGGER `statements_count_insert`
--> statement-breakpoint
DROP TRIGGER `statements_count_delete`
--> statement-breakpoint
DROP TRIGGER `statements_count_date`
--> statement-breakpoint
DROP TRIGGER `statements_fts_delete`
--> statement-breakpoint
DROP TRIGGER `statement_topics_ancestors_insert`
--> statement-breakpoint
DROP TRIGGER `statement_topics_ancestors_delete`
--> statement-breakpoint
DROP TRIGGER `statement_topics_ancestors_update`
--> statement-breakpoint
DROP TRIGGER `topics_ancestors_move`
--> statement-breakpoint
DROP TRIGGER `statements_ancestors_date`
--> statement-breakpoint
DROP TRIGGER `statements_ancestors_delete`
--> statement-breakpoint
DROP TRIGGER `statements_links_delete`
--> statement-breakpoint
CREATE TABLE `__new_statements` (
	`id` text NOT NULL,
	`doc` integer PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`kind` text NOT NULL,
	`speaker_id` text NOT NULL,
	`on_behalf_of_id` text,
	`speaker_role` text,
	`stated_on` text,
	`event_id` text,
	`context` text,
	`language` text,
	`links` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`speaker_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`on_behalf_of_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "statements_kind_check" CHECK("__new_statements"."kind" IN ('quote', 'paraphrase')),
	CONSTRAINT "statements_text_check" CHECK(length(trim("__new_statements"."text")) > 0)
)
--> statement-breakpoint
-- In doc order: each row goes at the table's end, so its pages come out full.
INSERT INTO `__new_statements` (`id`, `doc`, `text`, `kind`, `speaker_id`, `on_behalf_of_id`, `speaker_role`, `stated_on`, `event_id`,
    `context`, `language`, `links`, `created_at`, `updated_at`, `version`)
  SELECT `id`, `doc`, `text`, `kind`, `speaker_id`, `on_behalf_of_id`, `speaker_role`, `stated_on`, `event_id`,
    `context`, `language`, `links`, `created_at`, `updated_at`, `version`
    FROM `statements` ORDER BY `doc`
--> statement-breakpoint
DROP TABLE `statements`
--> statement-breakpoint
ALTER TABLE `__new_statements` RENAME TO `statements`
--> statement-breakpoint
CREATE UNIQUE INDEX `statements_id_unique` ON `statements` (`id`)
--> statement-breakpoint
CREATE INDEX `statements_stated_on_idx` ON `statements` (`stated_on`,`id`)
--> statement-breakpoint
CREATE INDEX `statements_speaker_idx` ON `statements` (`speaker_id`,`stated_on`,`id`)
--> statement-breakpoint
CREATE INDEX `statements_on_behalf_of_idx` ON `statements` (`on_behalf_of_id`,`stated_on`,`id`)
--> statement-breakpoint
CREATE INDEX `statements_event_idx` ON `statements` (`event_id`)
--> statement-breakpoint
CREATE INDEX `statements_language_idx` ON `statements` (`language`)
--> statement-breakpoint
CREATE INDEX `statements_created_idx` ON `statements` (`created_at`,`id`)
--> statement-breakpoint
CREATE INDEX `statements_updated_idx` ON `statements` (`updated_at`,`id`)
--> statement-breakpoint
CREATE TRIGGER `statements_count_insert` AFTER INSERT ON `statements` BEGIN
  INSERT INTO `month_counts` (`month`, `statements`) VALUES (substr(coalesce(new.`stated_on`, ''), 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END
--> statement-breakpoint
CREATE TRIGGER `statements_count_delete` AFTER DELETE ON `statements` BEGIN
  UPDATE `month_counts` SET `statements` = `statements` - 1 WHERE `month` = substr(coalesce(old.`stated_on`, ''), 1, 7);
END
--> statement-breakpoint
CREATE TRIGGER `statements_count_date` AFTER UPDATE OF `stated_on` ON `statements` WHEN new.`stated_on` IS NOT old.`stated_on` BEGIN
  UPDATE `month_counts` SET `statements` = `statements` - 1 WHERE `month` = substr(coalesce(old.`stated_on`, ''), 1, 7);
  INSERT INTO `month_counts` (`month`, `statements`) VALUES (substr(coalesce(new.`stated_on`, ''), 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END
--> statement-breakpoint
CREATE TRIGGER `statements_fts_delete` AFTER DELETE ON `statements` BEGIN
  DELETE FROM `statements_fts` WHERE `rowid` = old.`doc`;
END
--> statement-breakpoint
CREATE TRIGGER `statement_topics_ancestors_insert` AFTER INSERT ON `statement_topics` BEGIN
  INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `topic_ancestors` a JOIN `statements` s ON s.`id` = new.`statement_id`
     WHERE a.`topic_id` = new.`topic_id`;
END
--> statement-breakpoint
CREATE TRIGGER `statement_topics_ancestors_delete` AFTER DELETE ON `statement_topics` BEGIN
  DELETE FROM `statement_topic_ancestors` WHERE (`ancestor_id`, `stated_on`, `statement_id`) IN (
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `statements` s JOIN `topic_ancestors` a ON a.`topic_id` = old.`topic_id`
     WHERE s.`id` = old.`statement_id` AND a.`ancestor_id` NOT IN (
       SELECT b.`ancestor_id` FROM json_each(s.`links`, '$[1]') l
         JOIN `statement_topics` st ON st.`topic_id` = l.`value` AND st.`statement_id` = s.`id`
         JOIN `topic_ancestors` b ON b.`topic_id` = l.`value`));
END
--> statement-breakpoint
CREATE TRIGGER `statement_topics_ancestors_update` AFTER UPDATE OF `topic_id`, `statement_id` ON `statement_topics` BEGIN
  DELETE FROM `statement_topic_ancestors` WHERE (`ancestor_id`, `stated_on`, `statement_id`) IN (
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `statements` s JOIN `topic_ancestors` a ON a.`topic_id` = old.`topic_id`
     WHERE s.`id` = old.`statement_id` AND a.`ancestor_id` NOT IN (
       SELECT b.`ancestor_id` FROM json_each(s.`links`, '$[1]') l
         JOIN `statement_topics` st ON st.`topic_id` = l.`value` AND st.`statement_id` = s.`id`
         JOIN `topic_ancestors` b ON b.`topic_id` = l.`value`));
  INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `topic_ancestors` a JOIN `statements` s ON s.`id` = new.`statement_id`
     WHERE a.`topic_id` = new.`topic_id`;
END
--> statement-breakpoint
CREATE TRIGGER `topics_ancestors_move` AFTER UPDATE OF `parent_id` ON `topics` WHEN new.`parent_id` IS NOT old.`parent_id` BEGIN
  DELETE FROM `statement_topic_ancestors` WHERE (`ancestor_id`, `stated_on`, `statement_id`) IN (
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id`
      FROM `topic_ancestors` d JOIN `statement_topics` st ON st.`topic_id` = d.`topic_id` JOIN `statements` s ON s.`id` = st.`statement_id`
      JOIN json_each(s.`links`, '$[1]') l JOIN `statement_topics` own ON own.`topic_id` = l.`value` AND own.`statement_id` = s.`id`
      JOIN `topic_ancestors` a ON a.`topic_id` = l.`value`
     WHERE d.`ancestor_id` = new.`id`);
  DELETE FROM `topic_ancestors`
   WHERE `topic_id` IN (SELECT `topic_id` FROM `topic_ancestors` WHERE `ancestor_id` = new.`id`)
     AND `ancestor_id` NOT IN (SELECT `topic_id` FROM `topic_ancestors` WHERE `ancestor_id` = new.`id`);
  INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`)
    SELECT d.`topic_id`, a.`ancestor_id` FROM `topic_ancestors` d JOIN `topic_ancestors` a ON a.`topic_id` = new.`parent_id` WHERE d.`ancestor_id` = new.`id`;
  INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`)
    SELECT `topic_id`, '*' FROM `topic_ancestors` WHERE `ancestor_id` = new.`id` AND new.`parent_id` IS NULL;
  INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id`
      FROM `topic_ancestors` d JOIN `statement_topics` st ON st.`topic_id` = d.`topic_id` JOIN `statements` s ON s.`id` = st.`statement_id`
      JOIN json_each(s.`links`, '$[1]') l JOIN `statement_topics` own ON own.`topic_id` = l.`value` AND own.`statement_id` = s.`id`
      JOIN `topic_ancestors` a ON a.`topic_id` = l.`value`
     WHERE d.`ancestor_id` = new.`id`;
END
--> statement-breakpoint
CREATE TRIGGER `statements_ancestors_date` AFTER UPDATE OF `stated_on` ON `statements` WHEN new.`stated_on` IS NOT old.`stated_on` BEGIN
  UPDATE `statement_topic_ancestors` SET `stated_on` = coalesce(new.`stated_on`, '')
   WHERE (`ancestor_id`, `stated_on`, `statement_id`) IN (
     SELECT a.`ancestor_id`, coalesce(old.`stated_on`, ''), old.`id` FROM json_each(old.`links`, '$[1]') l JOIN `topic_ancestors` a ON a.`topic_id` = l.`value`);
END
--> statement-breakpoint
CREATE TRIGGER `statements_ancestors_delete` AFTER DELETE ON `statements` BEGIN
  DELETE FROM `statement_topic_ancestors` WHERE (`ancestor_id`, `stated_on`, `statement_id`) IN (
    SELECT a.`ancestor_id`, coalesce(old.`stated_on`, ''), old.`id` FROM json_each(old.`links`, '$[1]') l JOIN `topic_ancestors` a ON a.`topic_id` = l.`value`);
END
--> statement-breakpoint
CREATE TRIGGER `statements_links_delete` AFTER DELETE ON `statements` BEGIN
  DELETE FROM `statement_sources` WHERE `source_id` IN (SELECT `value` FROM json_each(old.`links`, '$[0]')) AND `statement_id` = old.`id`;
  DELETE FROM `statement_topics` WHERE `topic_id` IN (SELECT `value` FROM json_each(old.`links`, '$[1]')) AND `statement_id` = old.`id`;
  DELETE FROM `statement_addressees` WHERE `actor_id` IN (SELECT `value` FROM json_each(old.`links`, '$[2]')) AND `statement_id` = old.`id`;
  DELETE FROM `statement_acts` WHERE `act` IN (SELECT `value` FROM json_each(old.`links`, '$[3]')) AND `statement_id` = old.`id`;
  DELETE FROM `statement_responds_to` WHERE `responds_to_id` IN (SELECT `value` FROM json_each(old.`links`, '$[4]')) AND `statement_id` = old.`id`;
END
