import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { join } from 'node:path';
import { type IssuerOptions, oidc, TokenClient } from '../../lib/index.js';
import { OidcWsAdapter } from '../../lib/ws/index.js';
import { AppModule } from './app.module.js';
import {
  acceptingResource,
  type AuthSettings,
  authSettingsFrom,
  introspectionMaxAge,
  mcpResourceFrom,
  port,
} from './config/auth-settings.js';
import { sharedStoreFrom } from './config/shared-store.js';
import { dpopSettingsFrom } from './config/dpop-settings.js';
import { clientMetadataCaFrom, tlsSettingsFrom } from './config/tls-settings.js';
import { revocationOf, ssfSettingsFrom } from './config/ssf-settings.js';
import {
  type DevIdentityProvider,
  startDevIdentityProvider,
} from './identity-provider/dev-identity-provider.js';
import { setupSwagger, type SwaggerLogin } from './swagger.js';
import { startDownstreamApi } from './downstream/downstream-api.js';
import type { DownstreamSettings } from './downstream/downstream.controller.js';

export interface SampleApp {
  app: INestApplication;
  apiUrl: string;
  /** The MCP endpoint's resource URI: where clients connect and what its tokens are issued for. */
  mcpResource: string;
  settings: AuthSettings;
  /** The embedded provider, when the environment names no other. */
  idp?: DevIdentityProvider;
  /** The audit API the notes API calls, started beside the embedded provider. */
  downstreamUrl?: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

async function swaggerLoginFrom(discoveryUrl: string): Promise<SwaggerLogin | undefined> {
  try {
    const res = await fetch(discoveryUrl, { signal: AbortSignal.timeout(5000) });
    const doc = (await res.json()) as Record<string, unknown>;
    if (typeof doc.authorization_endpoint === 'string' && typeof doc.token_endpoint === 'string') {
      return { authorizationUrl: doc.authorization_endpoint, tokenUrl: doc.token_endpoint };
    }
  } catch {
    // Swagger UI then works with pasted tokens only; the API itself is unaffected.
  }
  new Logger('Swagger').warn(`No login in Swagger UI: could not read ${discoveryUrl}`);
  return undefined;
}

/**
 * Starts the notes API (and, unless the environment names a provider, the embedded one) on
 * 127.0.0.1. Throws `SettingsError` naming the variable when the environment is wrong.
 */
export async function startSampleApp(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SampleApp> {
  const settings = authSettingsFrom(env);
  const tls = tlsSettingsFrom(env);
  const apiPort = port(env, 'PORT', 3000);
  const apiUrl = `${tls.https ? 'https' : 'http'}://${HOST}:${apiPort}`;
  const ssf = ssfSettingsFrom(env, settings.mode === 'embedded');
  const mcpResource = mcpResourceFrom(env, apiUrl);
  let idp: DevIdentityProvider | undefined;
  let issuers: IssuerOptions[];
  let login: SwaggerLogin | undefined;
  let downstream: DownstreamSettings | undefined;
  let downstreamApp: INestApplication | undefined;
  if (settings.mode === 'embedded') {
    idp = await startDevIdentityProvider({
      port: settings.idpPort,
      host: HOST,
      audience: settings.audience,
      apiResource: apiUrl,
      mcpResource,
      clientMetadataCa: clientMetadataCaFrom(env),
      redirectUris: [
        `${apiUrl}/docs/oauth2-redirect.html`,
        `http://localhost:${apiPort}/docs/oauth2-redirect.html`,
      ],
      keyFile:
        env.DEV_IDP_KEY_FILE ?? join(import.meta.dirname, '..', '.data', 'signing-keys.json'),
      signingAlgorithm: settings.signingAlgorithm,
      ssfAudience: ssf?.audience,
    });
    issuers = [
      {
        ...oidc({ issuer: idp.issuer, audience: settings.audience, requireAccessTokenType: true }),
        // The reporting client's opaque tokens are introspected with the API's own client.
        introspection: { ...idp.introspectionClient, ...introspectionMaxAge(env) },
      },
    ];
    login = {
      authorizationUrl: idp.authorizationEndpoint,
      tokenUrl: idp.tokenEndpoint,
      clientId: idp.spaClientId,
    };
    const audit = await startDownstreamApi({
      issuer: idp.issuer,
      audience: idp.downstreamAudience,
      port: port(env, 'DOWNSTREAM_PORT', 3001),
      host: HOST,
      quiet: Boolean(env.SAMPLE_APP_QUIET),
    });
    downstreamApp = audit.app;
    downstream = {
      url: audit.url,
      audience: idp.downstreamAudience,
      client: new TokenClient({
        issuer: idp.issuer,
        clientId: idp.serviceClient.clientId,
        clientSecret: idp.serviceClient.clientSecret,
        exchange: 'token-exchange',
      }),
    };
  } else {
    issuers = settings.issuers;
    login = await swaggerLoginFrom(settings.discoveryUrl);
  }
  // The API advertises its URL as its resource (RFC 9728): tokens issued for it open the API, as
  // do tokens for the audience the provider was configured with.
  // So does the MCP endpoint, a resource of its own: the module lets its tokens open only it.
  issuers = issuers.map((issuer) =>
    acceptingResource(acceptingResource(issuer, apiUrl), mcpResource),
  );
  const dpop = dpopSettingsFrom(env);
  // The API is a receiver of its provider's security events (OpenID Shared Signals): the
  // embedded provider's always, another's with OIDC_SSF_TRANSMITTER.
  const revocation =
    ssf &&
    revocationOf(ssf, {
      apiUrl,
      transmitter: ssf.transmitter ?? idp!.issuer,
      tokenIssuer: idp?.issuer ?? issuers[0].issuer,
      client: idp?.introspectionClient,
      algorithms: settings.mode === 'embedded' ? [settings.signingAlgorithm] : undefined,
    });
  const shared = sharedStoreFrom(env);
  const app = await NestFactory.create(
    AppModule.forIssuers(issuers, { api: apiUrl, mcp: mcpResource }, downstream, {
      ...(shared && { store: shared.store }),
      dpop,
      mtls: tls.mtls,
      ...(revocation && { revocation }),
    }),
    { logger: env.SAMPLE_APP_QUIET ? ['error'] : undefined, httpsOptions: tls.https },
  );
  app.useWebSocketAdapter(new OidcWsAdapter(app));
  if (login) setupSwagger(app, apiUrl, login);
  try {
    await app.listen(apiPort, HOST);
  } catch (err) {
    await downstreamApp?.close();
    await idp?.close();
    shared?.close();
    throw err;
  }
  return {
    app,
    apiUrl,
    mcpResource,
    settings,
    idp,
    downstreamUrl: downstream?.url,
    async close() {
      await app.close();
      await downstreamApp?.close();
      await idp?.close();
      shared?.close();
    },
  };
}
