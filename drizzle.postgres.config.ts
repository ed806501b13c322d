// drizzle-kit for PostgreSQL: generates SQL migrations from src/storage/postgres/tables.ts into migrations/postgres/.
// `npx drizzle-kit generate --config drizzle.postgres.config.ts` (add `--custom --name=…` for a hand-written one).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/storage/postgres/tables.ts',
  out: './migrations/postgres',
});
