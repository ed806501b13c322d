DROP INDEX "statements_stated_on_idx";--> statement-breakpoint
DROP INDEX "statements_speaker_idx";--> statement-breakpoint
DROP INDEX "statements_on_behalf_of_idx";--> statement-breakpoint
CREATE INDEX "statements_stated_on_idx" ON "statements" USING btree ("stated_on" NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "statements_speaker_idx" ON "statements" USING btree ("speaker_id","stated_on" NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "statements_on_behalf_of_idx" ON "statements" USING btree ("on_behalf_of_id","stated_on" NULLS FIRST,"id");