-- Topic ancestry and the counts behind stats, kept by triggers as on SQLite (migrations/0005): the tables are
-- in tables.ts; these are the functions that keep them in step. Topics change rarely and one at a time, so
-- their triggers work per row, as SQLite's do. Links and statements come by the thousand in an import (or a
-- COPY): their triggers work per SQL statement, over its transition tables.

-- A new topic: itself, its parent's ancestors, and '*' (any topic) for a root.
CREATE FUNCTION topics_ancestors_insert() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO topic_ancestors (topic_id, ancestor_id) VALUES (new.id, new.id);
  INSERT INTO topic_ancestors (topic_id, ancestor_id) SELECT new.id, ancestor_id FROM topic_ancestors WHERE topic_id = new.parent_id;
  IF new.parent_id IS NULL THEN
    INSERT INTO topic_ancestors (topic_id, ancestor_id) VALUES (new.id, '*');
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER topics_ancestors_insert AFTER INSERT ON topics FOR EACH ROW EXECUTE FUNCTION topics_ancestors_insert();
--> statement-breakpoint
-- A move: the subtree's links above the topic are replaced, then its statements' rows are rebuilt.
CREATE FUNCTION topics_ancestors_move() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM topic_ancestors
   WHERE topic_id IN (SELECT topic_id FROM topic_ancestors WHERE ancestor_id = new.id)
     AND ancestor_id NOT IN (SELECT topic_id FROM topic_ancestors WHERE ancestor_id = new.id);
  INSERT INTO topic_ancestors (topic_id, ancestor_id)
    SELECT d.topic_id, a.ancestor_id FROM topic_ancestors d JOIN topic_ancestors a ON a.topic_id = new.parent_id WHERE d.ancestor_id = new.id;
  IF new.parent_id IS NULL THEN
    INSERT INTO topic_ancestors (topic_id, ancestor_id) SELECT topic_id, '*' FROM topic_ancestors WHERE ancestor_id = new.id;
  END IF;
  PERFORM statement_topic_ancestors_refresh(ARRAY(
    SELECT DISTINCT st.statement_id FROM statement_topics st JOIN topic_ancestors d ON d.topic_id = st.topic_id WHERE d.ancestor_id = new.id));
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Rewrites the ancestor rows of these statements from their links: adds what is missing, removes what no
-- link leads to any more. The counts follow through the triggers on statement_topic_ancestors.
CREATE FUNCTION statement_topic_ancestors_refresh(ids text[]) RETURNS void
  LANGUAGE sql
  BEGIN ATOMIC
    DELETE FROM statement_topic_ancestors x
     WHERE x.statement_id = ANY (ids)
       AND NOT EXISTS (
         SELECT 1 FROM statement_topics st JOIN topic_ancestors a ON a.topic_id = st.topic_id
          WHERE st.statement_id = x.statement_id AND a.ancestor_id = x.ancestor_id);
    INSERT INTO statement_topic_ancestors (ancestor_id, stated_on, statement_id)
      SELECT DISTINCT a.ancestor_id, coalesce(s.stated_on, ''), s.id
        FROM statement_topics st JOIN statements s ON s.id = st.statement_id JOIN topic_ancestors a ON a.topic_id = st.topic_id
       WHERE st.statement_id = ANY (ids)
       ORDER BY 1, 2, 3
      ON CONFLICT DO NOTHING;
  END;
--> statement-breakpoint
CREATE TRIGGER topics_ancestors_move AFTER UPDATE OF parent_id ON topics
  FOR EACH ROW WHEN (new.parent_id IS DISTINCT FROM old.parent_id) EXECUTE FUNCTION topics_ancestors_move();
--> statement-breakpoint
-- Links added, removed or changed: the ancestor rows of the statements they belong to.
CREATE FUNCTION statement_topics_ancestors() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- Only additions: no refresh needed, and this is the hot path of imports.
    INSERT INTO statement_topic_ancestors (ancestor_id, stated_on, statement_id)
      SELECT DISTINCT a.ancestor_id, coalesce(s.stated_on, ''), s.id
        FROM inserted n JOIN statements s ON s.id = n.statement_id JOIN topic_ancestors a ON a.topic_id = n.topic_id
       ORDER BY 1, 2, 3
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM statement_topic_ancestors_refresh(ARRAY(SELECT DISTINCT statement_id FROM removed));
  ELSE
    PERFORM statement_topic_ancestors_refresh(ARRAY(SELECT statement_id FROM inserted UNION SELECT statement_id FROM removed));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER statement_topics_ancestors_insert AFTER INSERT ON statement_topics
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statement_topics_ancestors();
--> statement-breakpoint
CREATE TRIGGER statement_topics_ancestors_delete AFTER DELETE ON statement_topics
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statement_topics_ancestors();
--> statement-breakpoint
CREATE TRIGGER statement_topics_ancestors_update AFTER UPDATE ON statement_topics
  REFERENCING OLD TABLE AS removed NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statement_topics_ancestors();
--> statement-breakpoint
-- Counts for stats by topic and period without reading the statements: per topic (with '*': statements with
-- any topic) and month ('' when undated), and per month over every statement. Each SQL statement adds its net
-- change per key once, keys in order (two writers never wait on each other's keys in opposite orders).
CREATE FUNCTION topic_month_counts_follow() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO topic_month_counts AS c (ancestor_id, month, statements)
      SELECT ancestor_id, substr(stated_on, 1, 7), count(*) FROM inserted GROUP BY 1, 2 ORDER BY 2, 1
      ON CONFLICT (month, ancestor_id) DO UPDATE SET statements = c.statements + excluded.statements;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE topic_month_counts c SET statements = c.statements - d.n
      FROM (SELECT ancestor_id, substr(stated_on, 1, 7) AS month, count(*) AS n FROM removed GROUP BY 1, 2) d
     WHERE c.ancestor_id = d.ancestor_id AND c.month = d.month;
  ELSE
    INSERT INTO topic_month_counts AS c (ancestor_id, month, statements)
      SELECT ancestor_id, month, sum(n) FROM (
        SELECT ancestor_id, substr(stated_on, 1, 7) AS month, 1 AS n FROM inserted
        UNION ALL
        SELECT ancestor_id, substr(stated_on, 1, 7), -1 FROM removed) d
      GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 2, 1
      ON CONFLICT (month, ancestor_id) DO UPDATE SET statements = c.statements + excluded.statements;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER statement_topic_ancestors_count_insert AFTER INSERT ON statement_topic_ancestors
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION topic_month_counts_follow();
--> statement-breakpoint
CREATE TRIGGER statement_topic_ancestors_count_delete AFTER DELETE ON statement_topic_ancestors
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION topic_month_counts_follow();
--> statement-breakpoint
CREATE TRIGGER statement_topic_ancestors_count_update AFTER UPDATE ON statement_topic_ancestors
  REFERENCING OLD TABLE AS removed NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION topic_month_counts_follow();
--> statement-breakpoint
-- Statements: their month counts, and their date on their ancestor rows.
CREATE FUNCTION statements_counts_follow() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO month_counts AS c (month, statements)
      SELECT substr(coalesce(stated_on, ''), 1, 7), count(*) FROM inserted GROUP BY 1 ORDER BY 1
      ON CONFLICT (month) DO UPDATE SET statements = c.statements + excluded.statements;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE month_counts c SET statements = c.statements - d.n
      FROM (SELECT substr(coalesce(stated_on, ''), 1, 7) AS month, count(*) AS n FROM removed GROUP BY 1) d
     WHERE c.month = d.month;
  ELSE
    UPDATE statement_topic_ancestors x SET stated_on = coalesce(n.stated_on, '')
      FROM inserted n JOIN removed o ON o.id = n.id
     WHERE x.statement_id = n.id AND n.stated_on IS DISTINCT FROM o.stated_on;
    INSERT INTO month_counts AS c (month, statements)
      SELECT month, sum(k) FROM (
        SELECT substr(coalesce(n.stated_on, ''), 1, 7) AS month, 1 AS k FROM inserted n JOIN removed o ON o.id = n.id
         WHERE n.stated_on IS DISTINCT FROM o.stated_on
        UNION ALL
        SELECT substr(coalesce(o.stated_on, ''), 1, 7), -1 FROM inserted n JOIN removed o ON o.id = n.id
         WHERE n.stated_on IS DISTINCT FROM o.stated_on) d
      GROUP BY 1 HAVING sum(k) <> 0 ORDER BY 1
      ON CONFLICT (month) DO UPDATE SET statements = c.statements + excluded.statements;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER statements_count_insert AFTER INSERT ON statements
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_counts_follow();
--> statement-breakpoint
CREATE TRIGGER statements_count_delete AFTER DELETE ON statements
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statements_counts_follow();
--> statement-breakpoint
CREATE TRIGGER statements_count_update AFTER UPDATE ON statements
  REFERENCING OLD TABLE AS removed NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION statements_counts_follow();
--> statement-breakpoint
-- Every derived row from the stored rows: ancestry, the statements under each topic, the counts and the search
-- documents, for a bulk load that wrote with the triggers off (session_replication_role = replica), or a repair.
CREATE FUNCTION derived_rebuild() RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM statement_topic_ancestors;
  DELETE FROM topic_ancestors;
  INSERT INTO topic_ancestors (topic_id, ancestor_id)
    WITH RECURSIVE up(topic_id, ancestor_id) AS (
      SELECT id, id FROM topics
      UNION SELECT up.topic_id, t.parent_id FROM up JOIN topics t ON t.id = up.ancestor_id WHERE t.parent_id IS NOT NULL
    ) SELECT topic_id, ancestor_id FROM up UNION ALL SELECT id, '*' FROM topics;
  INSERT INTO statement_topic_ancestors (ancestor_id, stated_on, statement_id)
    SELECT DISTINCT a.ancestor_id, coalesce(s.stated_on, ''), s.id
      FROM statement_topics st JOIN statements s ON s.id = st.statement_id JOIN topic_ancestors a ON a.topic_id = st.topic_id;
  -- After the inserts, whose triggers (when on) counted: the counts are rewritten from the rows either way.
  DELETE FROM topic_month_counts;
  INSERT INTO topic_month_counts (ancestor_id, month, statements)
    SELECT ancestor_id, substr(stated_on, 1, 7), count(*) FROM statement_topic_ancestors GROUP BY 1, 2;
  DELETE FROM month_counts;
  INSERT INTO month_counts (month, statements) SELECT substr(coalesce(stated_on, ''), 1, 7), count(*) FROM statements GROUP BY 1;
  PERFORM statements_search_rebuild();
END $$;
