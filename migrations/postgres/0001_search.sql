-- Full-text search on PostgreSQL: what SQLite's FTS5 table holds (migrations/0001, 0006), kept by triggers.
--
-- Words as FTS5's unicode61 tokenizer with remove_diacritics sees them: runs of letters and digits, without
-- case or diacritics, no stemming and no stop words (every word of a quote counts). So the configuration is
-- `simple` (lower case, nothing dropped) behind `unaccent`, and the text is cut into words before PostgreSQL's
-- parser reads it: every run of other characters becomes a space, so `al-Khawarij` is the two words `al` and
-- `khawarij` (the parser would add a third, `al-khawarij`, and shift the positions phrases rely on), and
-- nothing is read as an e-mail address, a URL or a file path. NFC first, so a letter written with a combining
-- accent stays one word. Case and the letter classes come from ICU's root locale ("und-x-icu"), whatever the
-- database's locale: the columns are COLLATE "C" (tables.ts), under which `[:alnum:]` and lower() know ASCII only.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION statements_words (COPY = pg_catalog.simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION statements_words
  ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
  WITH unaccent, simple;
--> statement-breakpoint
-- One column's words: the same function reads documents and builds queries' words (search.ts), so both agree.
CREATE FUNCTION statements_words(body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('public.statements_words'::regconfig,
    regexp_replace(lower(normalize(coalesce(body, ''), NFC) COLLATE "und-x-icu"), '[^[:alnum:]]+', ' ', 'g'));
--> statement-breakpoint
-- The names and aliases of a statement's topics, in the order of its topics, each name before its aliases, as
-- one text (what FTS5's `topics` column holds on SQLite); ranking in JavaScript reads it too (search.ts).
CREATE FUNCTION statements_topic_terms(statement_id text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (
    SELECT string_agg(term.value, ' ' ORDER BY st.ord, term.position)
      FROM statement_topics st
      JOIN topics t ON t.id = st.topic_id
      CROSS JOIN LATERAL (
        SELECT t.name AS value, 0::bigint AS position
        UNION ALL
        SELECT a.value, a.position FROM jsonb_array_elements_text(t.aliases) WITH ORDINALITY AS a(value, position)
      ) term
     WHERE st.statement_id = statements_topic_terms.statement_id);
--> statement-breakpoint
-- A statement's document: its text (A), its context (B), and its topic terms (C), as FTS5's three columns
-- weighed 10, 3 and 2. Weights let ts_rank_cd weigh them alike; `||` shifts the positions of each part past
-- the last, so a phrase never runs from one column into the next.
CREATE FUNCTION statements_document(statement_id text, body text, context text) RETURNS tsvector
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN setweight(statements_words(body), 'A')
    || setweight(statements_words(context), 'B')
    || setweight(statements_words(statements_topic_terms(statement_id)), 'C');
--> statement-breakpoint
-- Writes the documents of these statements from their current text, context and topics (a statement that is
-- gone has none: its row went with it, through the foreign key).
CREATE FUNCTION statements_search_refresh(ids text[]) RETURNS void
  LANGUAGE sql
  BEGIN ATOMIC
    INSERT INTO statements_search (doc, document)
      SELECT s.doc, statements_document(s.id, s.text, s.context) FROM statements s WHERE s.id = ANY (ids)
      ORDER BY s.doc
      ON CONFLICT (doc) DO UPDATE SET document = excluded.document;
  END;
--> statement-breakpoint
-- Every statement's document, for a bulk load that wrote the rows with the triggers off, or a repair.
CREATE FUNCTION statements_search_rebuild() RETURNS void
  LANGUAGE sql
  BEGIN ATOMIC
    DELETE FROM statements_search_queue;
    DELETE FROM statements_search;
    INSERT INTO statements_search (doc, document)
      SELECT s.doc, statements_document(s.id, s.text, s.context) FROM statements s ORDER BY s.doc;
  END;
--> statement-breakpoint
-- When documents are written: once per statement and transaction, at its commit. A statement comes first and
-- its topic links after it, so a document written at the statement's INSERT would be written again at its
-- links' (and the GIN index would hold both versions). So the triggers below only queue the statements whose
-- words may have changed, per SQL statement, over its transition tables (an import that inserts a thousand
-- statements in one INSERT, or one COPY, queues them in one pass), and mark the transaction in
-- statements_search_flush, once: that row's deferred trigger writes the queued documents at commit, in one
-- call however many rows were queued.
CREATE FUNCTION statements_search_enqueue(ids text[]) RETURNS void
  LANGUAGE sql
  BEGIN ATOMIC
    INSERT INTO statements_search_queue (statement_id) SELECT DISTINCT id FROM unnest(ids) AS id ORDER BY 1
      ON CONFLICT DO NOTHING;
    INSERT INTO statements_search_flush (transaction) SELECT txid_current() WHERE cardinality(ids) > 0
      ON CONFLICT DO NOTHING;
  END;
--> statement-breakpoint
CREATE FUNCTION statements_search_drain() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
BEGIN
  DELETE FROM statements_search_flush WHERE transaction = txid_current();
  WITH drained AS (DELETE FROM statements_search_queue RETURNING statement_id)
    SELECT array_agg(statement_id) INTO ids FROM drained;
  IF ids IS NOT NULL THEN
    PERFORM statements_search_refresh(ids);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER statements_search_drain AFTER INSERT ON statements_search_flush
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION statements_search_drain();
--> statement-breakpoint
CREATE FUNCTION statements_search_statements() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM statements_search_enqueue(ARRAY(SELECT id FROM inserted));
  ELSE
    PERFORM statements_search_enqueue(ARRAY(
      SELECT n.id FROM inserted n JOIN removed o ON o.id = n.id
       WHERE n.text IS DISTINCT FROM o.text OR n.context IS DISTINCT FROM o.context OR n.doc IS DISTINCT FROM o.doc));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER statements_search_insert AFTER INSERT ON statements
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_search_statements();
--> statement-breakpoint
CREATE TRIGGER statements_search_update AFTER UPDATE ON statements
  REFERENCING OLD TABLE AS removed NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_search_statements();
--> statement-breakpoint
-- A statement's topics changed: its topic words change. (A statement deleted takes its links with it: its id
-- is queued, and finds no statement to write a document for; its document went with it through the key.)
CREATE FUNCTION statements_search_topic_links() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM statements_search_enqueue(ARRAY(SELECT statement_id FROM inserted));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM statements_search_enqueue(ARRAY(SELECT statement_id FROM removed));
  ELSE
    PERFORM statements_search_enqueue(ARRAY(SELECT statement_id FROM inserted UNION SELECT statement_id FROM removed));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER statement_topics_search_insert AFTER INSERT ON statement_topics
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_search_topic_links();
--> statement-breakpoint
CREATE TRIGGER statement_topics_search_delete AFTER DELETE ON statement_topics
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statements_search_topic_links();
--> statement-breakpoint
CREATE TRIGGER statement_topics_search_update AFTER UPDATE ON statement_topics
  REFERENCING OLD TABLE AS removed NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_search_topic_links();
--> statement-breakpoint
-- A topic renamed or given other aliases: the documents of the statements filed under it (reindexTopic on SQLite).
CREATE FUNCTION statements_search_topics() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM statements_search_enqueue(ARRAY(
    SELECT st.statement_id
      FROM inserted n JOIN removed o ON o.id = n.id JOIN statement_topics st ON st.topic_id = n.id
     WHERE n.name IS DISTINCT FROM o.name OR n.aliases IS DISTINCT FROM o.aliases));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER topics_search_update AFTER UPDATE ON topics
  REFERENCING OLD TABLE AS removed NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_search_topics();
