-- Topic ancestry, kept by triggers: every topic with itself and each of its ancestors, and '*' (any topic), under
-- which every statement with a topic is counted once.
CREATE TABLE `topic_ancestors` (
  `topic_id` text NOT NULL REFERENCES `topics`(`id`) ON DELETE CASCADE,
  `ancestor_id` text NOT NULL,
  PRIMARY KEY (`topic_id`, `ancestor_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `topic_ancestors_ancestor_idx` ON `topic_ancestors` (`ancestor_id`, `topic_id`);
--> statement-breakpoint
-- Each statement under each topic it is about, directly or through a descendant, with its date ('' when undated).
CREATE TABLE `statement_topic_ancestors` (
  `ancestor_id` text NOT NULL,
  `stated_on` text NOT NULL,
  `statement_id` text NOT NULL REFERENCES `statements`(`id`) ON DELETE CASCADE,
  PRIMARY KEY (`ancestor_id`, `stated_on`, `statement_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `statement_topic_ancestors_statement_idx` ON `statement_topic_ancestors` (`statement_id`);
--> statement-breakpoint
INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`)
  WITH RECURSIVE up(topic_id, ancestor_id) AS (
    SELECT `id`, `id` FROM `topics`
    UNION SELECT up.topic_id, t.`parent_id` FROM up JOIN `topics` t ON t.`id` = up.ancestor_id WHERE t.`parent_id` IS NOT NULL
  ) SELECT topic_id, ancestor_id FROM up UNION ALL SELECT `id`, '*' FROM `topics`;
--> statement-breakpoint
INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
  SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id`
    FROM `statement_topics` st JOIN `statements` s ON s.`id` = st.`statement_id` JOIN `topic_ancestors` a ON a.`topic_id` = st.`topic_id`;
--> statement-breakpoint
CREATE TRIGGER `topics_ancestors_insert` AFTER INSERT ON `topics` BEGIN
  INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`) VALUES (new.`id`, new.`id`);
  INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`) SELECT new.`id`, `ancestor_id` FROM `topic_ancestors` WHERE `topic_id` = new.`parent_id`;
  INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`) SELECT new.`id`, '*' WHERE new.`parent_id` IS NULL;
END;
--> statement-breakpoint
-- A move: the subtree's links above the topic are replaced, then its statements' rows are rebuilt.
CREATE TRIGGER `topics_ancestors_move` AFTER UPDATE OF `parent_id` ON `topics` WHEN new.`parent_id` IS NOT old.`parent_id` BEGIN
  DELETE FROM `topic_ancestors`
   WHERE `topic_id` IN (SELECT `topic_id` FROM `topic_ancestors` WHERE `ancestor_id` = new.`id`)
     AND `ancestor_id` NOT IN (SELECT `topic_id` FROM `topic_ancestors` WHERE `ancestor_id` = new.`id`);
  INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`)
    SELECT d.`topic_id`, a.`ancestor_id` FROM `topic_ancestors` d JOIN `topic_ancestors` a ON a.`topic_id` = new.`parent_id` WHERE d.`ancestor_id` = new.`id`;
  INSERT INTO `topic_ancestors` (`topic_id`, `ancestor_id`)
    SELECT `topic_id`, '*' FROM `topic_ancestors` WHERE `ancestor_id` = new.`id` AND new.`parent_id` IS NULL;
  DELETE FROM `statement_topic_ancestors` WHERE `statement_id` IN (
    SELECT st.`statement_id` FROM `statement_topics` st JOIN `topic_ancestors` d ON d.`topic_id` = st.`topic_id` WHERE d.`ancestor_id` = new.`id`);
  INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id`
      FROM `statement_topics` st JOIN `statements` s ON s.`id` = st.`statement_id` JOIN `topic_ancestors` a ON a.`topic_id` = st.`topic_id`
     WHERE st.`statement_id` IN (SELECT st2.`statement_id` FROM `statement_topics` st2 JOIN `topic_ancestors` d ON d.`topic_id` = st2.`topic_id` WHERE d.`ancestor_id` = new.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `statement_topics_ancestors_insert` AFTER INSERT ON `statement_topics` BEGIN
  INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `topic_ancestors` a JOIN `statements` s ON s.`id` = new.`statement_id`
     WHERE a.`topic_id` = new.`topic_id`;
END;
--> statement-breakpoint
-- A link removed: its ancestors go unless another topic of the statement still leads there.
CREATE TRIGGER `statement_topics_ancestors_delete` AFTER DELETE ON `statement_topics` BEGIN
  DELETE FROM `statement_topic_ancestors`
   WHERE `statement_id` = old.`statement_id`
     AND `ancestor_id` IN (SELECT `ancestor_id` FROM `topic_ancestors` WHERE `topic_id` = old.`topic_id`)
     AND `ancestor_id` NOT IN (
       SELECT a.`ancestor_id` FROM `statement_topics` st JOIN `topic_ancestors` a ON a.`topic_id` = st.`topic_id` WHERE st.`statement_id` = old.`statement_id`);
END;
--> statement-breakpoint
-- A link changed in place (the service replaces links, but another program may update them): both of the above.
CREATE TRIGGER `statement_topics_ancestors_update` AFTER UPDATE ON `statement_topics` BEGIN
  DELETE FROM `statement_topic_ancestors`
   WHERE `statement_id` = old.`statement_id`
     AND `ancestor_id` IN (SELECT `ancestor_id` FROM `topic_ancestors` WHERE `topic_id` = old.`topic_id`)
     AND `ancestor_id` NOT IN (
       SELECT a.`ancestor_id` FROM `statement_topics` st JOIN `topic_ancestors` a ON a.`topic_id` = st.`topic_id` WHERE st.`statement_id` = old.`statement_id`);
  INSERT OR IGNORE INTO `statement_topic_ancestors` (`ancestor_id`, `stated_on`, `statement_id`)
    SELECT a.`ancestor_id`, coalesce(s.`stated_on`, ''), s.`id` FROM `topic_ancestors` a JOIN `statements` s ON s.`id` = new.`statement_id`
     WHERE a.`topic_id` = new.`topic_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `statements_ancestors_date` AFTER UPDATE OF `stated_on` ON `statements` WHEN new.`stated_on` IS NOT old.`stated_on` BEGIN
  UPDATE `statement_topic_ancestors` SET `stated_on` = coalesce(new.`stated_on`, '') WHERE `statement_id` = new.`id`;
END;

--> statement-breakpoint
-- Counts for stats by topic and period without reading the statements: per topic (with '*': statements with
-- any topic) and month ('' when undated), and per month over every statement.
CREATE TABLE `topic_month_counts` (
  `ancestor_id` text NOT NULL,
  `month` text NOT NULL,
  `statements` integer NOT NULL,
  PRIMARY KEY (`month`, `ancestor_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `month_counts` (
  `month` text PRIMARY KEY NOT NULL,
  `statements` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `topic_month_counts` (`ancestor_id`, `month`, `statements`)
  SELECT `ancestor_id`, substr(`stated_on`, 1, 7), count(*) FROM `statement_topic_ancestors` GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO `month_counts` (`month`, `statements`) SELECT substr(coalesce(`stated_on`, ''), 1, 7), count(*) FROM `statements` GROUP BY 1;
--> statement-breakpoint
CREATE TRIGGER `statement_topic_ancestors_count_insert` AFTER INSERT ON `statement_topic_ancestors` BEGIN
  INSERT INTO `topic_month_counts` (`ancestor_id`, `month`, `statements`) VALUES (new.`ancestor_id`, substr(new.`stated_on`, 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `statement_topic_ancestors_count_delete` AFTER DELETE ON `statement_topic_ancestors` BEGIN
  UPDATE `topic_month_counts` SET `statements` = `statements` - 1 WHERE `ancestor_id` = old.`ancestor_id` AND `month` = substr(old.`stated_on`, 1, 7);
END;
--> statement-breakpoint
CREATE TRIGGER `statement_topic_ancestors_count_update` AFTER UPDATE ON `statement_topic_ancestors` BEGIN
  UPDATE `topic_month_counts` SET `statements` = `statements` - 1 WHERE `ancestor_id` = old.`ancestor_id` AND `month` = substr(old.`stated_on`, 1, 7);
  INSERT INTO `topic_month_counts` (`ancestor_id`, `month`, `statements`) VALUES (new.`ancestor_id`, substr(new.`stated_on`, 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `statements_count_insert` AFTER INSERT ON `statements` BEGIN
  INSERT INTO `month_counts` (`month`, `statements`) VALUES (substr(coalesce(new.`stated_on`, ''), 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `statements_count_delete` AFTER DELETE ON `statements` BEGIN
  UPDATE `month_counts` SET `statements` = `statements` - 1 WHERE `month` = substr(coalesce(old.`stated_on`, ''), 1, 7);
END;
--> statement-breakpoint
CREATE TRIGGER `statements_count_date` AFTER UPDATE OF `stated_on` ON `statements` WHEN new.`stated_on` IS NOT old.`stated_on` BEGIN
  UPDATE `month_counts` SET `statements` = `statements` - 1 WHERE `month` = substr(coalesce(old.`stated_on`, ''), 1, 7);
  INSERT INTO `month_counts` (`month`, `statements`) VALUES (substr(coalesce(new.`stated_on`, ''), 1, 7), 1)
    ON CONFLICT DO UPDATE SET `statements` = `statements` + 1;
END;
