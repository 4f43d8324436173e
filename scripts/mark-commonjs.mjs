// The package is "type": "module", so Node would read dist/cjs/*.js as ES modules without this marker.
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';

writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
