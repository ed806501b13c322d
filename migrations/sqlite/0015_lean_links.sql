-- The link tables and the topic ancestry in the one direction they are read in, on half the disk (issue #21;
-- docs/performance.md, Storage).
--
-- A link table kept three B-trees: the rows by rowid, their key (statement, value) and an index (value,
-- statement). A statement's links are read from its `links` column (0013), so the tables are only read by value
-- (filters, referrers, a topic's statements): each becomes one B-tree keyed by (value, statement), WITHOUT
-- ROWID. The ancestry loses its index by statement: a statement's rows are found by key, from the ancestors of
-- the topics its `links` name and its date. Neither keeps a foreign key to the statement, which would look its
-- rows up by statement on every delete of one: a trigger on `statements` removes them by key instead.
--
-- The triggers that read the link tables or the ancestry by statement are dropped first (a table cannot be
-- renamed while a trigger names a table that is gone), the tables copied in key order (a link table read whole
-- and sorted: its index by value lacks `ord`, and a row looked up for each entry was slower), and the triggers
-- made again, reading a statement's topics from its `links` where they read `statement_topics` by statement.
DROP TRIGGER `topics_ancestors_move`
--> statement-breakpoint
DROP TRIGGER `statements_ancestors_date`
--> statement-breakpoint
DROP TRIGGER `statement_topics_ancestors_insert`
--> statement-breakpoint
DROP TRIGGER `statement_topics_ancestors_delete`
--> statement-breakpoint
DROP TRIGGER `statement_topics_ancestors_update`
--> statement-breakpoint
DROP TRIGGER `statement_topic_ancestors_count_insert`
--> statement-breakpoint
DROP TRIGGER `statement_topic_ancestors_count_delete`
--> statement-breakpoint
DROP TRIGGER `statement_topic_ancestors_count_update`
--> statement-breakpoint
CREATE TABLE `__new_statement_sources` (
  `statement_id` text NOT NULL,
  `source_id` text NOT NULL REFERENCES `sources`(`id`),
  `ord` integer NOT NULL,
  PRIMARY KEY (`source_id`, `statement_id`)
) WITHOUT ROWID
--> statement-breakpoint
INSERT INTO `__new_statement_sources` (`statement_id`, `source_id`, `ord`)
  SELECT `statement_id`, `source_id`, `ord` FROM `statement_sources` NOT INDEXED ORDER BY `source_id`, `statement_id`
--> statement-breakpoint
DROP TABLE `statement_sources`
--> statement-breakpoint
ALTER TABLE `__new_statement_sources` RENAME TO `statement_sources`
--> statement-breakpoint
CREATE TABLE `__new_statement_topics` (
  `statement_id` text NOT NULL,
  `topic_id` text NOT NULL REFERENCES `topics`(`id`),
  `ord` integer NOT NULL,
  PRIMARY KEY (`topic_id`, `statement_id`)
) WITHOUT ROWID
--> statement-breakpoint
INSERT INTO `__new_statement_topics` (`statement_id`, `topic_id`, `ord`)
  SELECT `statement_id`, `topic_id`, `ord` FROM `statement_topics` NOT INDEXED ORDER BY `topic_id`, `statement_id`
--> statement-breakpoint
DROP TABLE `statement_topics`
--> statement-breakpoint
ALTER TABLE `__new_statement_topics` RENAME TO `statement_topics`
--> statement-breakpoint
CREATE TABLE `__new_statement_addressees` (
  `statement_id` text NOT NULL,
  `actor_id` text NOT NULL REFERENCES `actors`(`id`),
  `ord` integer NOT NULL,
  PRIMARY KEY (`actor_id`, `statement_id`)
) WITHOUT ROWID
--> statement-breakpoint
INSERT INTO `__new_statement_addressees` (`statement_id`, `actor_id`, `ord`)
  SELECT `statement_id`, `actor_id`, `ord` FROM `statement_addressees` NOT INDEXED ORDER BY `actor_id`, `statement_id`
--> statement-breakpoint
DROP TABLE `statement_addressees`
--> statement-breakpoint
ALTER TABLE `__new_statement_addressees` RENAME TO `statement_addressees`
--> statement-breakpoint
CREATE TABLE `__new_statement_acts` (
  `statement_id` text NOT NULL,
  `act` text NOT NULL,
  `ord` integer NOT NULL,
  PRIMARY KEY (`act`, `statement_id`)
) WITHOUT ROWID
--> statement-breakpoint
INSERT INTO `__new_statement_acts` (`statement_id`, `act`, `ord`)
  SELECT `statement_id`, `act`, `ord` FROM `statement_acts` NOT INDEXED ORDER BY `act`, `statement_id`
--> statement-breakpoint
DROP TABLE `statement_acts`
--> statement-breakpoint
ALTER TABLE `__new_statement_acts` RENAME TO `statement_acts`
--> statement-breakpoint
CREATE TABLE `__new_statement_responds_to` (
  `statement_id` text NOT NULL,
  `responds_to_id` text NOT NULL REFERENCES `statements`(`id`),
  `ord` integer NOT NULL,
  PRIMARY KEY (`responds_to_id`, `statement_id`)
) WITHOUT ROWID
--> statement-breakpoint
INSERT INTO `__new_statement_responds_to` (`statement_id`, `responds_to_id`, `ord`)
  SELECT `statement_id`, `responds_to_id`, `ord` FROM `statement_responds_to` NOT INDEXED ORDER BY `responds_to_id`, `statement_id`
--> statement-breakpoint
DROP TABLE `statement_responds_to`
--> statement-breakpoint
ALTER TABLE `__new_statement_responds_to` RENAME TO `statement_responds_to`
--> statement-breakpoint
CREATE TABLE `__new_statement_topic_ancestors` (
  `ancestor_id` text NOT NULL,
  `stated_on` text NOT NULL,
  `statement_id` text NOT NULL,
  PRIMARY KEY (`ancestor_id`, `stated_on`, `statement_id`)
) WITHOUT ROWID
--> statement-breakpoint
INSERT INTO `__new_statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
  SELECT `ancestor_id`, `stated_on`, `statement_id` FROM `statement_topic_ancestors` ORDER BY 1, 2, 3
--> statement-breakpoint
DROP TABLE `statement_topic_ancestors`
--> statement-breakpoint
ALTER TABLE `__new_statement_topic_ancestors` RENAME TO `statement_topic_ancestors`
--> statement-breakpoint
CREATE TRIGGER `statement_topic_ancestors_count_insert` AFTER INSERT ON `statement_topic_ancestors` BEGIN
  INSERT INTO `topic_month_counts` (`ancestor_id`, `month`, `statements`) VALUES (new.`ancestor_id`, substr(new.`stated_on`, 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END
--> statement-breakpoint
CREATE TRIGGER `statement_topic_ancestors_count_delete` AFTER DELETE ON `statement_topic_ancestors` BEGIN
  UPDATE `topic_month_counts` SET `statements` = `statements` - 1 WHERE `ancestor_id` = old.`ancestor_id` AND `month` = substr(old.`stated_on`, 1, 7);
END
--> statement-breakpoint
CREATE TRIGGER `statement_topic_ancestors_count_update` AFTER UPDATE ON `statement_topic_ancestors` BEGIN
  UPDATE `topic_month_counts` SET `statements` = `statements` - 1 WHERE `ancestor_id` = old.`ancestor_id` AND `month` = substr(old.`stated_on`, 1, 7);
  INSERT INTO `topic_month_counts` (`ancestor_id`, `month`, `statements`) VALUES (new.`ancestor_id`, substr(new.`stated_on`, 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END
--> statement-breakpoint
-- A link added: the statement goes under the topic and each of its ancestors (as in 0005).
CREATE TRIGGER `statement_topics_ancestors_insert` AFTER INSERT ON `statement_topics` BEGIN
  INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `topic_ancestors` a JOIN `statements` s ON s.`id` = new.`statement_id`
     WHERE a.`topic_id` = new.`topic_id`;
END
--> statement-breakpoint
-- A link removed: its ancestors go unless another topic of the statement still leads there. The statement's
-- other topics are those of its `links` that still have their row (the write path writes `links` first); each
-- row goes by its key. Nothing when the statement is gone: its delete removed its rows (below).
CREATE TRIGGER `statement_topics_ancestors_delete` AFTER DELETE ON `statement_topics` BEGIN
  DELETE FROM `statement_topic_ancestors` WHERE (`ancestor_id`, `stated_on`, `statement_id`) IN (
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `statements` s JOIN `topic_ancestors` a ON a.`topic_id` = old.`topic_id`
     WHERE s.`id` = old.`statement_id` AND a.`ancestor_id` NOT IN (
       SELECT b.`ancestor_id` FROM json_each(s.`links`, '$[1]') l
         JOIN `statement_topics` st ON st.`topic_id` = l.`value` AND st.`statement_id` = s.`id`
         JOIN `topic_ancestors` b ON b.`topic_id` = l.`value`));
END
--> statement-breakpoint
-- A link changed in place (the service replaces links, but another program may update them): both of the above.
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
-- A move: the rows of the subtree's statements go (by key, from the tree before the move), the subtree's links
-- above the topic are replaced, then those statements' rows are made again from the tree after it.
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
-- A statement's new date: its rows move, found by key from the topics of its `links` before the write.
CREATE TRIGGER `statements_ancestors_date` AFTER UPDATE OF `stated_on` ON `statements` WHEN new.`stated_on` IS NOT old.`stated_on` BEGIN
  UPDATE `statement_topic_ancestors` SET `stated_on` = coalesce(new.`stated_on`, '')
   WHERE (`ancestor_id`, `stated_on`, `statement_id`) IN (
     SELECT a.`ancestor_id`, coalesce(old.`stated_on`, ''), old.`id` FROM json_each(old.`links`, '$[1]') l JOIN `topic_ancestors` a ON a.`topic_id` = l.`value`);
END
--> statement-breakpoint
-- A statement deleted: its ancestry rows (a trigger of its own, since a bulk load puts aside those that write
-- the ancestry) and its link rows, each by key from the links it carried.
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
END;
