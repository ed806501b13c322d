CREATE TABLE `actors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`country_code` text,
	`parent_id` text,
	`aliases` text DEFAULT '[]' NOT NULL,
	`description` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "actors_kind_check" CHECK("actors"."kind" IN ('state', 'governmentBody', 'igo', 'organization', 'armedGroup', 'media', 'person', 'other'))
);
--> statement-breakpoint
CREATE INDEX `actors_parent_idx` ON `actors` (`parent_id`);--> statement-breakpoint
CREATE INDEX `actors_kind_idx` ON `actors` (`kind`,`id`);--> statement-breakpoint
CREATE TABLE `event_participants` (
	`event_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`event_id`, `actor_id`),
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `event_participants_actor_idx` ON `event_participants` (`actor_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`start_date` text,
	`end_date` text,
	`location` text,
	`host_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "events_kind_check" CHECK("events"."kind" IN ('pressBriefing', 'pressConference', 'meeting', 'speech', 'interview', 'letter', 'visit', 'other'))
);
--> statement-breakpoint
CREATE INDEX `events_host_idx` ON `events` (`host_id`);--> statement-breakpoint
CREATE INDEX `events_start_idx` ON `events` (`start_date`,`id`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	`last_used_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_name_unique` ON `api_keys` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `position_evidence` (
	`position_id` text NOT NULL,
	`statement_id` text NOT NULL,
	`relation` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`position_id`, `statement_id`),
	FOREIGN KEY (`position_id`) REFERENCES `positions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "position_evidence_relation_check" CHECK("position_evidence"."relation" IN ('asserts', 'reiterates', 'hardens', 'softens', 'qualifies', 'contradicts'))
);
--> statement-breakpoint
CREATE INDEX `position_evidence_statement_idx` ON `position_evidence` (`statement_id`);--> statement-breakpoint
CREATE TABLE `positions` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text NOT NULL,
	`topic_id` text NOT NULL,
	`stance` text NOT NULL,
	`summary` text NOT NULL,
	`valid_from` text NOT NULL,
	`valid_to` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "positions_stance_check" CHECK("positions"."stance" IN ('supports', 'opposes', 'neutral', 'mixed', 'unclear')),
	CONSTRAINT "positions_period_check" CHECK("positions"."valid_to" IS NULL OR "positions"."valid_to" > "positions"."valid_from")
);
--> statement-breakpoint
CREATE INDEX `positions_actor_topic_idx` ON `positions` (`actor_id`,`topic_id`,`valid_from`);--> statement-breakpoint
CREATE INDEX `positions_topic_idx` ON `positions` (`topic_id`,`valid_from`);--> statement-breakpoint
CREATE INDEX `positions_valid_from_idx` ON `positions` (`valid_from`,`id`);--> statement-breakpoint
CREATE INDEX `positions_created_idx` ON `positions` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `positions_updated_idx` ON `positions` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`publisher` text,
	`author` text,
	`url` text,
	`published_on` text,
	`language` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	CONSTRAINT "sources_kind_check" CHECK("sources"."kind" IN ('officialTranscript', 'pressRelease', 'newsReport', 'socialPost', 'letter', 'other'))
);
--> statement-breakpoint
CREATE INDEX `sources_published_idx` ON `sources` (`published_on`,`id`);--> statement-breakpoint
CREATE TABLE `statement_acts` (
	`statement_id` text NOT NULL,
	`act` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`statement_id`, `act`),
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `statement_acts_value_idx` ON `statement_acts` (`act`,`statement_id`);--> statement-breakpoint
CREATE TABLE `statement_addressees` (
	`statement_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`statement_id`, `actor_id`),
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `statement_addressees_value_idx` ON `statement_addressees` (`actor_id`,`statement_id`);--> statement-breakpoint
CREATE TABLE `statement_sources` (
	`statement_id` text NOT NULL,
	`source_id` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`statement_id`, `source_id`),
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `statement_sources_value_idx` ON `statement_sources` (`source_id`,`statement_id`);--> statement-breakpoint
CREATE TABLE `statement_topics` (
	`statement_id` text NOT NULL,
	`topic_id` text NOT NULL,
	`ord` integer NOT NULL,
	PRIMARY KEY(`statement_id`, `topic_id`),
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `statement_topics_value_idx` ON `statement_topics` (`topic_id`,`statement_id`);--> statement-breakpoint
CREATE TABLE `statements` (
	`id` text PRIMARY KEY NOT NULL,
	`doc` integer NOT NULL,
	`text` text NOT NULL,
	`kind` text NOT NULL,
	`speaker_id` text NOT NULL,
	`on_behalf_of_id` text,
	`speaker_role` text,
	`stated_on` text,
	`event_id` text,
	`responds_to_id` text,
	`context` text,
	`language` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`speaker_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`on_behalf_of_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`responds_to_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "statements_kind_check" CHECK("statements"."kind" IN ('quote', 'paraphrase')),
	CONSTRAINT "statements_text_check" CHECK(length(trim("statements"."text")) > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `statements_doc_unique` ON `statements` (`doc`);--> statement-breakpoint
CREATE INDEX `statements_stated_on_idx` ON `statements` (`stated_on`,`id`);--> statement-breakpoint
CREATE INDEX `statements_speaker_idx` ON `statements` (`speaker_id`,`stated_on`,`id`);--> statement-breakpoint
CREATE INDEX `statements_on_behalf_of_idx` ON `statements` (`on_behalf_of_id`,`stated_on`,`id`);--> statement-breakpoint
CREATE INDEX `statements_event_idx` ON `statements` (`event_id`);--> statement-breakpoint
CREATE INDEX `statements_responds_to_idx` ON `statements` (`responds_to_id`);--> statement-breakpoint
CREATE INDEX `statements_language_idx` ON `statements` (`language`);--> statement-breakpoint
CREATE INDEX `statements_created_idx` ON `statements` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `statements_updated_idx` ON `statements` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `topics` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`parent_id` text,
	`aliases` text DEFAULT '[]' NOT NULL,
	`description` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `topics_parent_idx` ON `topics` (`parent_id`);