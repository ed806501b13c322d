-- Each statement keeps its five link arrays on its row, as one jsonb array in `links` (sourceIds, topicIds,
-- addresseeIds, acts, respondsToIds, each in its stored order), as SQLite's `links` (migrations/sqlite/0013):
-- a page and a statement by id read them with the rows instead of one subquery per link table and row. The
-- link tables stay (filters, reference and referrer checks, topic ancestry and search documents read them, and
-- their triggers keep those as before); the write path and the bulk load write both, in one transaction.
ALTER TABLE "statements" ADD COLUMN "links" jsonb DEFAULT '[]'::jsonb NOT NULL;
--> statement-breakpoint
-- The statements stored before: their arrays from the link tables, in `ord` order. The statement-level update
-- triggers of statements (counts, search documents) compare the date, text and context, which this leaves
-- alone: they are put aside for it rather than handed every row twice in their transition tables.
ALTER TABLE "statements" DISABLE TRIGGER "statements_count_update";
--> statement-breakpoint
ALTER TABLE "statements" DISABLE TRIGGER "statements_search_update";
--> statement-breakpoint
UPDATE "statements" s SET "links" = jsonb_build_array(
  coalesce((SELECT jsonb_agg(x."source_id" ORDER BY x."ord") FROM "statement_sources" x WHERE x."statement_id" = s."id"), '[]'::jsonb),
  coalesce((SELECT jsonb_agg(x."topic_id" ORDER BY x."ord") FROM "statement_topics" x WHERE x."statement_id" = s."id"), '[]'::jsonb),
  coalesce((SELECT jsonb_agg(x."actor_id" ORDER BY x."ord") FROM "statement_addressees" x WHERE x."statement_id" = s."id"), '[]'::jsonb),
  coalesce((SELECT jsonb_agg(x."act" ORDER BY x."ord") FROM "statement_acts" x WHERE x."statement_id" = s."id"), '[]'::jsonb),
  coalesce((SELECT jsonb_agg(x."responds_to_id" ORDER BY x."ord") FROM "statement_responds_to" x WHERE x."statement_id" = s."id"), '[]'::jsonb)
);
--> statement-breakpoint
ALTER TABLE "statements" ENABLE TRIGGER "statements_count_update";
--> statement-breakpoint
ALTER TABLE "statements" ENABLE TRIGGER "statements_search_update";
