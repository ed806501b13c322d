-- A revision stores its state only once that state is no longer its record's current one (src/storage/sqlite/revision-log.ts):
-- while it is, the record holds it, and the history and the change feed read it from there. This empties the
-- state of each record's latest revision, where the record still exists at that version and the stored state is,
-- byte for byte, the JSON the reads build from the record (each record's fields in the order the write path
-- stores them, as store.ts's revisionState gives). Any other state stays as it is (one written in another
-- key order, by a position closing, is still answered as written).
UPDATE `revisions` SET `state` = NULL
WHERE `collection` = 'actors' AND `operation` <> 'delete' AND `state` IS NOT NULL
  AND `seq` = (SELECT max(`r`.`seq`) FROM `revisions` AS `r` WHERE `r`.`collection` = 'actors' AND `r`.`record_id` = `revisions`.`record_id`)
  AND `state` = (
    SELECT json_object('id', `a`.`id`, 'countryCode', `a`.`country_code`, 'parentId', `a`.`parent_id`, 'aliases', json(`a`.`aliases`),
      'description', `a`.`description`, 'name', `a`.`name`, 'kind', `a`.`kind`,
      'createdAt', `a`.`created_at`, 'updatedAt', `a`.`updated_at`, 'version', `a`.`version`)
    FROM `actors` AS `a` WHERE `a`.`id` = `revisions`.`record_id` AND `a`.`version` = `revisions`.`version`);
--> statement-breakpoint
UPDATE `revisions` SET `state` = NULL
WHERE `collection` = 'topics' AND `operation` <> 'delete' AND `state` IS NOT NULL
  AND `seq` = (SELECT max(`r`.`seq`) FROM `revisions` AS `r` WHERE `r`.`collection` = 'topics' AND `r`.`record_id` = `revisions`.`record_id`)
  AND `state` = (
    SELECT json_object('id', `t`.`id`, 'parentId', `t`.`parent_id`, 'aliases', json(`t`.`aliases`), 'description', `t`.`description`,
      'name', `t`.`name`, 'createdAt', `t`.`created_at`, 'updatedAt', `t`.`updated_at`, 'version', `t`.`version`)
    FROM `topics` AS `t` WHERE `t`.`id` = `revisions`.`record_id` AND `t`.`version` = `revisions`.`version`);
--> statement-breakpoint
UPDATE `revisions` SET `state` = NULL
WHERE `collection` = 'sources' AND `operation` <> 'delete' AND `state` IS NOT NULL
  AND `seq` = (SELECT max(`r`.`seq`) FROM `revisions` AS `r` WHERE `r`.`collection` = 'sources' AND `r`.`record_id` = `revisions`.`record_id`)
  AND `state` = (
    SELECT json_object('id', `s`.`id`, 'publisher', `s`.`publisher`, 'author', `s`.`author`, 'url', `s`.`url`,
      'publishedOn', `s`.`published_on`, 'language', `s`.`language`, 'text', `s`.`text`, 'kind', `s`.`kind`, 'title', `s`.`title`,
      'createdAt', `s`.`created_at`, 'updatedAt', `s`.`updated_at`, 'version', `s`.`version`)
    FROM `sources` AS `s` WHERE `s`.`id` = `revisions`.`record_id` AND `s`.`version` = `revisions`.`version`);
--> statement-breakpoint
UPDATE `revisions` SET `state` = NULL
WHERE `collection` = 'events' AND `operation` <> 'delete' AND `state` IS NOT NULL
  AND `seq` = (SELECT max(`r`.`seq`) FROM `revisions` AS `r` WHERE `r`.`collection` = 'events' AND `r`.`record_id` = `revisions`.`record_id`)
  AND `state` = (
    SELECT json_object('id', `e`.`id`, 'startDate', `e`.`start_date`, 'endDate', `e`.`end_date`, 'location', `e`.`location`,
      'hostId', `e`.`host_id`,
      'participantIds', json((SELECT json_group_array(`p`.`actor_id` ORDER BY `p`.`ord`) FROM `event_participants` AS `p` WHERE `p`.`event_id` = `e`.`id`)),
      'kind', `e`.`kind`, 'title', `e`.`title`, 'createdAt', `e`.`created_at`, 'updatedAt', `e`.`updated_at`, 'version', `e`.`version`)
    FROM `events` AS `e` WHERE `e`.`id` = `revisions`.`record_id` AND `e`.`version` = `revisions`.`version`);
--> statement-breakpoint
UPDATE `revisions` SET `state` = NULL
WHERE `collection` = 'statements' AND `operation` <> 'delete' AND `state` IS NOT NULL
  AND `seq` = (SELECT max(`r`.`seq`) FROM `revisions` AS `r` WHERE `r`.`collection` = 'statements' AND `r`.`record_id` = `revisions`.`record_id`)
  AND `state` = (
    SELECT json_object('id', `s`.`id`, 'onBehalfOfId', `s`.`on_behalf_of_id`, 'speakerRole', `s`.`speaker_role`, 'statedOn', `s`.`stated_on`,
      'eventId', `s`.`event_id`,
      'topicIds', json((SELECT json_group_array(`l`.`topic_id` ORDER BY `l`.`ord`) FROM `statement_topics` AS `l` WHERE `l`.`statement_id` = `s`.`id`)),
      'addresseeIds', json((SELECT json_group_array(`l`.`actor_id` ORDER BY `l`.`ord`) FROM `statement_addressees` AS `l` WHERE `l`.`statement_id` = `s`.`id`)),
      'respondsToIds', json((SELECT json_group_array(`l`.`responds_to_id` ORDER BY `l`.`ord`) FROM `statement_responds_to` AS `l` WHERE `l`.`statement_id` = `s`.`id`)),
      'context', `s`.`context`,
      'acts', json((SELECT json_group_array(`l`.`act` ORDER BY `l`.`ord`) FROM `statement_acts` AS `l` WHERE `l`.`statement_id` = `s`.`id`)),
      'language', `s`.`language`, 'text', `s`.`text`, 'kind', `s`.`kind`, 'speakerId', `s`.`speaker_id`,
      'sourceIds', json((SELECT json_group_array(`l`.`source_id` ORDER BY `l`.`ord`) FROM `statement_sources` AS `l` WHERE `l`.`statement_id` = `s`.`id`)),
      'createdAt', `s`.`created_at`, 'updatedAt', `s`.`updated_at`, 'version', `s`.`version`)
    FROM `statements` AS `s` WHERE `s`.`id` = `revisions`.`record_id` AND `s`.`version` = `revisions`.`version`);
--> statement-breakpoint
UPDATE `revisions` SET `state` = NULL
WHERE `collection` = 'positions' AND `operation` <> 'delete' AND `state` IS NOT NULL
  AND `seq` = (SELECT max(`r`.`seq`) FROM `revisions` AS `r` WHERE `r`.`collection` = 'positions' AND `r`.`record_id` = `revisions`.`record_id`)
  AND `state` = (
    SELECT json_object('id', `p`.`id`, 'validTo', `p`.`valid_to`, 'actorId', `p`.`actor_id`, 'topicId', `p`.`topic_id`, 'stance', `p`.`stance`,
      'summary', `p`.`summary`, 'validFrom', `p`.`valid_from`,
      'evidence', json((
        SELECT json_group_array(json_object('statementId', `e`.`statement_id`, 'relation', `e`.`relation`)
          ORDER BY `s`.`stated_on` IS NULL, `s`.`stated_on`, `e`.`ord`)
        FROM `position_evidence` AS `e` JOIN `statements` AS `s` ON `s`.`id` = `e`.`statement_id` WHERE `e`.`position_id` = `p`.`id`)),
      'createdAt', `p`.`created_at`, 'updatedAt', `p`.`updated_at`, 'version', `p`.`version`)
    FROM `positions` AS `p` WHERE `p`.`id` = `revisions`.`record_id` AND `p`.`version` = `revisions`.`version`);
--> statement-breakpoint
-- Then the table is copied, so that the space goes to the file's free list: SQLite leaves the pages of rows that
-- shrink in place as they are, mostly empty, and would never reuse them for new revisions (which go at the end).
-- The copy keeps every seq, and the AUTOINCREMENT counter moves over with it (sqlite_sequence), so no feed
-- position is ever given twice. The free pages serve the file's next writes; the migration runner VACUUMs when
-- they are a large share of it (src/storage/sqlite/client.ts).
CREATE TABLE `__new_revisions` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`collection` text NOT NULL,
	`record_id` text NOT NULL,
	`version` integer NOT NULL,
	`operation` text NOT NULL,
	`state` text,
	`key_name` text,
	`at` text NOT NULL,
	CONSTRAINT "revisions_operation_check" CHECK("__new_revisions"."operation" IN ('create', 'update', 'delete'))
);
--> statement-breakpoint
INSERT INTO `__new_revisions` (`seq`, `collection`, `record_id`, `version`, `operation`, `state`, `key_name`, `at`)
  SELECT `seq`, `collection`, `record_id`, `version`, `operation`, `state`, `key_name`, `at` FROM `revisions` ORDER BY `seq`;
--> statement-breakpoint
DELETE FROM `sqlite_sequence` WHERE `name` = '__new_revisions';
--> statement-breakpoint
UPDATE `sqlite_sequence` SET `name` = '__new_revisions' WHERE `name` = 'revisions';
--> statement-breakpoint
DROP TABLE `revisions`;
--> statement-breakpoint
ALTER TABLE `__new_revisions` RENAME TO `revisions`;
--> statement-breakpoint
CREATE INDEX `revisions_record_idx` ON `revisions` (`collection`,`record_id`,`seq`);
