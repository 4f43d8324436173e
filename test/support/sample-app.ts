import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenClient } from '../../lib/index.js';
import {
  type DevIdentityProvider,
  startDevIdentityProvider,
} from '../../sample-app/src/identity-provider/dev-identity-provider.js';
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

/** Where the dev provider sends a code back: nothing listens there, and no client follows it. */
export const DEV_IDP_REDIRECT_URI = 'http://127.0.0.1:9/cb';

/** The sample's embedded provider alone, for `api://notes`, on a free port with a fresh key file. */
export async function startDevIdp(
  options: { requireDpopNonce?: boolean; ssfAudience?: string } = {},
): Promise<DevIdentityProvider> {
  return startDevIdentityProvider({
    port: await freePort(),
    audience: 'api://notes',
    redirectUris: [DEV_IDP_REDIRECT_URI],
    keyFile: join(mkdtempSync(join(tmpdir(), 'dev-idp-')), 'keys.json'),
    ...options,
  });
}

/** A client-credentials token of the sample's service client, from `sample`'s embedded provider. */
export function serviceToken(sample: SampleApp, scopes: string[]): Promise<string> {
  return new TokenClient({
    tokenEndpoint: sample.idp!.tokenEndpoint,
    ...sample.idp!.serviceClient,
  }).getAppToken({ scopes });
}

/** The sample with its embedded provider, and a second instance trusting it through OIDC_ISSUER. */
export async function startSampleAndExternal(): Promise<{
  provider: SampleApp;
  external: SampleApp;
}> {
  const provider = await startSample();
  const external = await startSample({
    OIDC_ISSUER: provider.idp!.issuer,
    OIDC_AUDIENCE: 'api://notes',
  });
  return { provider, external };
}
