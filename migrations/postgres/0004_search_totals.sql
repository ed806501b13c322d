CREATE TABLE "statements_search_totals" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"documents" bigint NOT NULL,
	"tokens" bigint NOT NULL,
	CONSTRAINT "statements_search_totals_one_row" CHECK ("statements_search_totals"."one")
);
--> statement-breakpoint
-- A document's length in words, as ranking reads it (FTS5's docsize): each lexeme's positions, one for a
-- lexeme kept without them.
CREATE FUNCTION statements_search_length(document tsvector) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (SELECT coalesce(sum(coalesce(array_length(positions, 1), 1)), 0) FROM unnest(document));
--> statement-breakpoint
-- The totals follow every change to statements_search, once per SQL statement over its transition tables (the
-- refresh at commit writes many documents in one INSERT … ON CONFLICT, a rebuild in one DELETE and one INSERT).
-- A statement that changed no document leaves the row alone, so writers only wait for each other on it when
-- both wrote documents, at their commits.
CREATE FUNCTION statements_search_totals_follow() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE statements_search_totals t SET documents = t.documents + d.n, tokens = t.tokens + d.words
      FROM (SELECT count(*) AS n, coalesce(sum(statements_search_length(document)), 0) AS words FROM inserted) d WHERE d.n > 0;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE statements_search_totals t SET documents = t.documents - d.n, tokens = t.tokens - d.words
      FROM (SELECT count(*) AS n, coalesce(sum(statements_search_length(document)), 0) AS words FROM removed) d WHERE d.n > 0;
  ELSE
    UPDATE statements_search_totals t SET tokens = t.tokens + d.words
      FROM (SELECT (SELECT coalesce(sum(statements_search_length(document)), 0) FROM inserted)
                 - (SELECT coalesce(sum(statements_search_length(document)), 0) FROM removed) AS words) d WHERE d.words <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER statements_search_totals_insert AFTER INSERT ON statements_search
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_search_totals_follow();
--> statement-breakpoint
CREATE TRIGGER statements_search_totals_update AFTER UPDATE ON statements_search
  REFERENCING OLD TABLE AS removed NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_search_totals_follow();
--> statement-breakpoint
CREATE TRIGGER statements_search_totals_delete AFTER DELETE ON statements_search
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statements_search_totals_follow();
--> statement-breakpoint
CREATE FUNCTION statements_search_totals_empty() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE statements_search_totals SET documents = 0, tokens = 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER statements_search_totals_truncate AFTER TRUNCATE ON statements_search
  FOR EACH STATEMENT EXECUTE FUNCTION statements_search_totals_empty();
--> statement-breakpoint
-- The documents already written: a database upgraded in place starts from its own totals.
INSERT INTO statements_search_totals (one, documents, tokens)
  SELECT true, count(*), coalesce(sum(statements_search_length(document)), 0) FROM statements_search;
