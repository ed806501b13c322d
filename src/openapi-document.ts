// The OpenAPI document exactly as the app serves it, for the committed copy and its drift test.
import { buildApp } from './app.js';

export async function servedOpenApi(): Promise<string> {
  const app = await buildApp({ databasePath: ':memory:', logLevel: 'silent', authDisabled: false, seed: false });
  try {
    const response = await app.inject('/openapi.json');
    return `${JSON.stringify(JSON.parse(response.body), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
