-- What a bulk load into an empty database put aside, and how to bring it back: the triggers that keep derived
-- tables and the secondary indexes of the tables a load writes most are dropped for the load and rebuilt from
-- the stored rows at its end. Each row is one SQL statement; they run in `step` order in one transaction, when
-- the load ends or, if it never did, when the database is next opened for migration.
CREATE TABLE `deferred_work` (
  `step` integer PRIMARY KEY NOT NULL,
  `sql` text NOT NULL
);
