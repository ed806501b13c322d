// drizzle-kit: generates SQL migrations from the TypeScript tables into migrations/sqlite/.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/sqlite/schema.ts',
  out: './migrations/sqlite',
});
