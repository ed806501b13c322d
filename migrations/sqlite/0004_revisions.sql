CREATE TABLE `revisions` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`collection` text NOT NULL,
	`record_id` text NOT NULL,
	`version` integer NOT NULL,
	`operation` text NOT NULL,
	`state` text,
	`key_name` text,
	`at` text NOT NULL,
	CONSTRAINT "revisions_operation_check" CHECK("revisions"."operation" IN ('create', 'update', 'delete'))
);
--> statement-breakpoint
CREATE INDEX `revisions_record_idx` ON `revisions` (`collection`,`record_id`,`seq`);