import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSampleApp, type SampleApp } from '../../sample-app/src/server.js';
import { freePort } from './free-port.js';

/** The sample app as `npm start` runs it, on free ports, with a fresh signing-key file. */
export async function startSample(env: Record<string, string> = {}): Promise<SampleApp> {
  return startSampleApp({
    PORT: String(await freePort()),
    DEV_IDP_PORT: String(await freePort()),
    DOWNSTREAM_PORT: String(await freePort()),
    DEV_IDP_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'dev-idp-')), 'keys.json'),
    SAMPLE_APP_QUIET: '1',
    ...env,
  });
}
