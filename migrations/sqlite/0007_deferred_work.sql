-- What a bulk load into an empty database put aside, and how to bring it back: the triggers that keep derived
-- tables and the secondary indexes of the tables a load writes most are dropped for the load and rebuilt from
-- the stored rows at its end. Each row is one step of SQL; they run in `step` order in one transaction, when
-- the load ends or, if its process (`owner_pid`) is gone without finishing, when the database is next migrated.
CREATE TABLE `deferred_work` (
  `step` integer PRIMARY KEY NOT NULL,
  `sql` text NOT NULL,
  `owner_pid` integer NOT NULL
);
