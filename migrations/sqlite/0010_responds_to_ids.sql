-- A statement can answer several statements (a question often bundles several): the one `responds_to_id` column
-- becomes the link table `statement_responds_to`, shaped like the other statement links, and each stored answer
-- moves into it. And a position's start may be unknown (its evidence undated): `positions.valid_from` becomes
-- nullable.
--
-- Written by hand in place of drizzle-kit's table rebuilds: drizzle runs every pending migration in one
-- transaction, where `PRAGMA foreign_keys=OFF` does nothing, so its `DROP TABLE statements` would delete through
-- the ON DELETE CASCADE links every source, topic, addressee and act of every statement (and `DROP TABLE
-- positions` every evidence row), and would drop the triggers that keep search and counts in step. The
-- TypeScript schema (and this migration's snapshot) no longer has `statements.responds_to_id`; see below.
CREATE TABLE `statement_responds_to` (
	`statement_id` text NOT NULL,
	`responds_to_id` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`statement_id`, `responds_to_id`),
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`responds_to_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `statement_responds_to` (`statement_id`, `responds_to_id`, `ord`)
  SELECT `id`, `responds_to_id`, 0 FROM `statements` WHERE `responds_to_id` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `statement_responds_to_value_idx` ON `statement_responds_to` (`responds_to_id`,`statement_id`);--> statement-breakpoint
-- The history and the change feed in today's shape: a statement's recorded states name what it answered as an array.
UPDATE `revisions`
  SET `state` = json_set(
    json_remove(`state`, '$.respondsToId'),
    '$.respondsToIds',
    json(CASE WHEN json_extract(`state`, '$.respondsToId') IS NULL THEN '[]' ELSE json_array(json_extract(`state`, '$.respondsToId')) END)
  )
  WHERE `collection` = 'statements' AND `state` IS NOT NULL AND json_type(`state`, '$.respondsToId') IS NOT NULL;
--> statement-breakpoint
-- The old column stays in the file, always NULL from here on: SQLite cannot drop a column that a table-level FOREIGN
-- KEY names without rebuilding `statements`, and with it the eight tables and the triggers that hang on it. Its
-- index stays too, so deleting a statement still finds the rows that could refer to it through the key at once.
UPDATE `statements` SET `responds_to_id` = NULL WHERE `responds_to_id` IS NOT NULL;--> statement-breakpoint
-- positions: rebuilt with a nullable valid_from. Its evidence is rebuilt first, pointing at the new table (the
-- rename below carries that reference over), so dropping the old table has nothing to cascade to.
CREATE TABLE `__new_positions` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text NOT NULL,
	`topic_id` text NOT NULL,
	`stance` text NOT NULL,
	`summary` text NOT NULL,
	`valid_from` text,
	`valid_to` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "positions_stance_check" CHECK("__new_positions"."stance" IN ('supports', 'opposes', 'neutral', 'mixed', 'unclear')),
	CONSTRAINT "positions_period_check" CHECK("__new_positions"."valid_to" IS NULL OR "__new_positions"."valid_to" > "__new_positions"."valid_from")
);
--> statement-breakpoint
INSERT INTO `__new_positions`("id", "actor_id", "topic_id", "stance", "summary", "valid_from", "valid_to", "created_at", "updated_at", "version") SELECT "id", "actor_id", "topic_id", "stance", "summary", "valid_from", "valid_to", "created_at", "updated_at", "version" FROM `positions`;--> statement-breakpoint
CREATE TABLE `__new_position_evidence` (
	`position_id` text NOT NULL,
	`statement_id` text NOT NULL,
	`relation` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`position_id`, `statement_id`),
	FOREIGN KEY (`position_id`) REFERENCES `__new_positions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "position_evidence_relation_check" CHECK("__new_position_evidence"."relation" IN ('asserts', 'reiterates', 'hardens', 'softens', 'qualifies', 'contradicts'))
);
--> statement-breakpoint
INSERT INTO `__new_position_evidence`("position_id", "statement_id", "relation", "ord") SELECT "position_id", "statement_id", "relation", "ord" FROM `position_evidence`;--> statement-breakpoint
DROP TABLE `position_evidence`;--> statement-breakpoint
DROP TABLE `positions`;--> statement-breakpoint
ALTER TABLE `__new_positions` RENAME TO `positions`;--> statement-breakpoint
ALTER TABLE `__new_position_evidence` RENAME TO `position_evidence`;--> statement-breakpoint
CREATE INDEX `position_evidence_statement_idx` ON `position_evidence` (`statement_id`);--> statement-breakpoint
CREATE INDEX `positions_actor_topic_idx` ON `positions` (`actor_id`,`topic_id`,`valid_from`);--> statement-breakpoint
CREATE INDEX `positions_topic_idx` ON `positions` (`topic_id`,`valid_from`);--> statement-breakpoint
CREATE INDEX `positions_valid_from_idx` ON `positions` (`valid_from`,`id`);--> statement-breakpoint
CREATE INDEX `positions_created_idx` ON `positions` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `positions_updated_idx` ON `positions` (`updated_at`,`id`);
