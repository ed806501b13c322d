-- Each statement keeps its five link arrays on its row, as one JSON array in `links` (sourceIds, topicIds,
-- addresseeIds, acts, respondsToIds, each in its stored order), so a page reads its statements' links with
-- the rows instead of one query per link table. The link tables stay: filters, reference and referrer checks,
-- topic ancestry and stats read them. The write path writes both in one transaction.
ALTER TABLE `statements` ADD `links` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- The statements stored before: their arrays from the link tables, in `ord` order. No trigger fires on `links`.
UPDATE `statements` SET `links` = json_array(
  json((SELECT json_group_array(`source_id`) FROM (SELECT `source_id` FROM `statement_sources` WHERE `statement_id` = `statements`.`id` ORDER BY `ord`))),
  json((SELECT json_group_array(`topic_id`) FROM (SELECT `topic_id` FROM `statement_topics` WHERE `statement_id` = `statements`.`id` ORDER BY `ord`))),
  json((SELECT json_group_array(`actor_id`) FROM (SELECT `actor_id` FROM `statement_addressees` WHERE `statement_id` = `statements`.`id` ORDER BY `ord`))),
  json((SELECT json_group_array(`act`) FROM (SELECT `act` FROM `statement_acts` WHERE `statement_id` = `statements`.`id` ORDER BY `ord`))),
  json((SELECT json_group_array(`responds_to_id`) FROM (SELECT `responds_to_id` FROM `statement_responds_to` WHERE `statement_id` = `statements`.`id` ORDER BY `ord`)))
);--> statement-breakpoint
-- The sources that keep a text: the only ones a quote's `verified` reads, usually few, found without reading the rest.
CREATE INDEX `sources_with_text_idx` ON `sources` (`id`) WHERE "text" IS NOT NULL;
