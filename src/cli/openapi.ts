// `npm run openapi`: write the OpenAPI document the app serves to openapi/openapi.json.
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE } from '../lib/paths.js';
import { servedOpenApi } from '../openapi-document.js';

const document = await servedOpenApi();
writeFileSync(OPENAPI_FILE, document);
console.log(`Wrote ${OPENAPI_FILE}.`);
