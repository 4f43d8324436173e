import {
  authSettingsFrom,
  mcpResourceFrom,
  port,
} from '../../../sample-app/src/config/auth-settings.js';
import { sharedStoreFrom } from '../../../sample-app/src/config/shared-store.js';

describe('sample app settings from the environment', () => {
  it('defaults to the embedded provider', () => {
    expect(authSettingsFrom({})).toEqual({
      mode: 'embedded',
      audience: 'api://notes',
      idpPort: 4000,
      signingAlgorithm: 'RS256',
    });
  });

  it('lets the embedded provider sign with Ed25519 or EdDSA (DEV_IDP_SIGNING_ALG), nothing else', () => {
    expect(authSettingsFrom({ DEV_IDP_SIGNING_ALG: 'Ed25519' })).toMatchObject({
      mode: 'embedded',
      signingAlgorithm: 'Ed25519',
    });
    expect(authSettingsFrom({ DEV_IDP_SIGNING_ALG: 'EdDSA' })).toMatchObject({
      signingAlgorithm: 'EdDSA',
    });
    expect(() => authSettingsFrom({ DEV_IDP_SIGNING_ALG: 'HS256' })).toThrow(
      'DEV_IDP_SIGNING_ALG must be one of RS256, Ed25519, EdDSA, got "HS256"',
    );
  });

  it('trusts exactly OIDC_ISSUER with the generic mapping and reads nothing else', () => {
    const settings = authSettingsFrom({
      OIDC_ISSUER: 'https://idp.example',
      OIDC_AUDIENCE: 'api://x',
      OIDC_PROVIDER: 'auth0',
    });
    expect(settings).toMatchObject({
      mode: 'external',
      discoveryUrl: 'https://idp.example/.well-known/openid-configuration',
      issuers: [{ issuer: 'https://idp.example', audience: 'api://x' }],
    });
  });

  it.each([
    [{ OIDC_ISSUER: 'https://idp.example' }, 'OIDC_AUDIENCE must be set'],
    [{ OIDC_ISSUER: 'idp.example', OIDC_AUDIENCE: 'x' }, 'OIDC_ISSUER must be an http(s) URL'],
    [
      { OIDC_PROVIDER: 'azure' },
      'OIDC_PROVIDER must be one of azure-ad, auth0, keycloak, okta, cognito, google',
    ],
    [{ OIDC_PROVIDER: 'azure-ad', AZURE_CLIENT_ID: 'c' }, 'AZURE_TENANT_ID must be set'],
    [
      {
        OIDC_PROVIDER: 'azure-ad',
        AZURE_TENANT_ID: 'contoso.onmicrosoft.com',
        AZURE_CLIENT_ID: 'c',
      },
      'AZURE_TENANT_ID must be the directory (tenant) id, a GUID',
    ],
    [
      {
        OIDC_PROVIDER: 'azure-ad',
        AZURE_TENANT_ID: 't',
        AZURE_CLIENT_ID: 'c',
        AZURE_INSTANCE: 'nope',
      },
      'AZURE_INSTANCE must be an http(s) URL',
    ],
    [{ OIDC_PROVIDER: 'auth0', AUTH0_DOMAIN: 'x.auth0.com' }, 'AUTH0_AUDIENCE must be set'],
    [
      { OIDC_PROVIDER: 'keycloak', KEYCLOAK_URL: 'https://sso', KEYCLOAK_AUDIENCE: 'a' },
      'KEYCLOAK_REALM must be set',
    ],
    [{ OIDC_PROVIDER: 'cognito', COGNITO_REGION: 'eu-west-1' }, 'COGNITO_USER_POOL_ID must be set'],
    [{ OIDC_PROVIDER: 'google' }, 'GOOGLE_AUDIENCE must be set'],
    [{ OIDC_PROVIDER: 'okta' }, 'OKTA_DOMAIN must be set'],
  ])('stops at boot for %j naming the variable', (env, message) => {
    expect(() => authSettingsFrom(env)).toThrow(message);
  });

  it('builds provider presets', () => {
    const azure = authSettingsFrom({
      OIDC_PROVIDER: 'azure-ad',
      AZURE_TENANT_ID: 'organizations',
      AZURE_CLIENT_ID: 'client',
      AZURE_ALLOWED_TENANTS: 't1, t2',
    });
    expect(azure).toMatchObject({
      mode: 'external',
      issuers: [
        {
          issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
          allowedTenants: ['t1', 't2'],
        },
        { issuer: 'https://sts.windows.net/{tenantid}/' },
      ],
      discoveryUrl:
        'https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration',
    });
    expect(
      authSettingsFrom({
        OIDC_PROVIDER: 'keycloak',
        KEYCLOAK_URL: 'https://sso',
        KEYCLOAK_REALM: 'r',
        KEYCLOAK_AUDIENCE: 'a',
      }),
    ).toMatchObject({ issuers: [{ issuer: 'https://sso/realms/r' }] });
  });

  it('reaches Cognito and Google through a discovery address override, keeping their issuers', () => {
    const cognito = authSettingsFrom({
      OIDC_PROVIDER: 'cognito',
      COGNITO_REGION: 'eu-west-1',
      COGNITO_USER_POOL_ID: 'eu-west-1_AbC',
      COGNITO_CLIENT_ID: 'client',
      COGNITO_DISCOVERY_URI: 'http://127.0.0.1:9229/eu-west-1_AbC/.well-known/openid-configuration',
    });
    expect(cognito).toMatchObject({
      issuers: [
        {
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC',
          discoveryUri: 'http://127.0.0.1:9229/eu-west-1_AbC/.well-known/openid-configuration',
        },
      ],
      // Swagger's login reads the same document.
      discoveryUrl: 'http://127.0.0.1:9229/eu-west-1_AbC/.well-known/openid-configuration',
    });
    const google = authSettingsFrom({
      OIDC_PROVIDER: 'google',
      GOOGLE_AUDIENCE: 'client.apps.googleusercontent.com',
      GOOGLE_DISCOVERY_URI: 'http://proxy.internal/google/.well-known/openid-configuration',
    });
    expect(google).toMatchObject({
      issuers: [
        {
          issuer: 'https://accounts.google.com',
          discoveryUri: 'http://proxy.internal/google/.well-known/openid-configuration',
        },
      ],
      discoveryUrl: 'http://proxy.internal/google/.well-known/openid-configuration',
    });
  });

  it('reads Cognito and Google keys from a JWKS address override', () => {
    const settings = authSettingsFrom({
      OIDC_PROVIDER: 'google',
      GOOGLE_AUDIENCE: 'aud',
      GOOGLE_JWKS_URI: 'http://127.0.0.1:8081/certs',
    });
    expect(settings).toMatchObject({ issuers: [{ jwksUri: 'http://127.0.0.1:8081/certs' }] });
    const plain = authSettingsFrom({ OIDC_PROVIDER: 'google', GOOGLE_AUDIENCE: 'aud' });
    expect(plain).toMatchObject({
      issuers: [{ issuer: 'https://accounts.google.com' }],
      discoveryUrl: 'https://accounts.google.com/.well-known/openid-configuration',
    });
    if (plain.mode !== 'external') throw new Error('expected external settings');
    expect(plain.issuers[0].discoveryUri).toBeUndefined();
    expect(plain.issuers[0].jwksUri).toBeUndefined();
  });

  it.each([
    [{ GOOGLE_DISCOVERY_URI: 'proxy' }, 'GOOGLE_DISCOVERY_URI must be an http(s) URL, got "proxy"'],
    [{ GOOGLE_JWKS_URI: 'file:///certs' }, 'GOOGLE_JWKS_URI must be an http(s) URL'],
    [
      { GOOGLE_DISCOVERY_URI: 'http://a/x', GOOGLE_JWKS_URI: 'http://a/y' },
      'GOOGLE_DISCOVERY_URI and GOOGLE_JWKS_URI must not both be set',
    ],
  ])('stops at boot for the override %j', (override, message) => {
    expect(() =>
      authSettingsFrom({ OIDC_PROVIDER: 'google', GOOGLE_AUDIENCE: 'aud', ...override }),
    ).toThrow(message);
  });

  it('checks Cognito overrides the same way', () => {
    expect(() =>
      authSettingsFrom({
        OIDC_PROVIDER: 'cognito',
        COGNITO_REGION: 'eu-west-1',
        COGNITO_USER_POOL_ID: 'p',
        COGNITO_CLIENT_ID: 'c',
        COGNITO_JWKS_URI: 'jwks.json',
      }),
    ).toThrow('COGNITO_JWKS_URI must be an http(s) URL');
  });

  it('checks port numbers', () => {
    expect(port({ PORT: '8080' }, 'PORT', 3000)).toBe(8080);
    expect(port({}, 'PORT', 3000)).toBe(3000);
    expect(() => port({ PORT: 'eighty' }, 'PORT', 3000)).toThrow('PORT must be a TCP port number');
    expect(() => port({ PORT: '70000' }, 'PORT', 3000)).toThrow('PORT must be a TCP port number');
  });

  describe('introspection and the shared store', () => {
    const issuer = { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'api://x' };

    it('introspects opaque tokens with the client OIDC_INTROSPECTION_* name, endpoint from discovery', () => {
      const settings = authSettingsFrom({
        ...issuer,
        OIDC_INTROSPECTION_CLIENT_ID: 'notes-api',
        OIDC_INTROSPECTION_CLIENT_SECRET: 's3cret',
      });
      expect(settings.mode === 'external' && settings.issuers[0].introspection).toEqual({
        clientId: 'notes-api',
        clientSecret: 's3cret',
      });
      const plain = authSettingsFrom(issuer);
      expect(plain.mode === 'external' && 'introspection' in plain.issuers[0]).toBe(false);
    });

    it('takes a cache age from INTROSPECTION_MAX_AGE_MS', () => {
      const settings = authSettingsFrom({
        ...issuer,
        OIDC_INTROSPECTION_CLIENT_ID: 'notes-api',
        OIDC_INTROSPECTION_CLIENT_SECRET: 's3cret',
        INTROSPECTION_MAX_AGE_MS: '2000',
      });
      expect(settings.mode === 'external' && settings.issuers[0].introspection?.maxAgeMs).toBe(
        2000,
      );
    });

    it.each([
      [{ OIDC_INTROSPECTION_CLIENT_ID: 'a' }, 'OIDC_INTROSPECTION_CLIENT_SECRET must be set with'],
      [{ OIDC_INTROSPECTION_CLIENT_SECRET: 'b' }, 'OIDC_INTROSPECTION_CLIENT_ID must be set with'],
      [
        {
          OIDC_INTROSPECTION_CLIENT_ID: 'a',
          OIDC_INTROSPECTION_CLIENT_SECRET: 'b',
          INTROSPECTION_MAX_AGE_MS: '1.5',
        },
        'INTROSPECTION_MAX_AGE_MS must be a positive number of milliseconds, got "1.5"',
      ],
    ])('names the variable to fix: %j', (env, message) => {
      expect(() => authSettingsFrom({ ...issuer, ...env })).toThrow(message);
    });

    it('accepts Google access tokens with GOOGLE_ACCESS_TOKENS=true, checking the related variables', () => {
      const base = {
        OIDC_PROVIDER: 'google',
        GOOGLE_AUDIENCE: 'client.apps.googleusercontent.com',
      };
      const off = authSettingsFrom(base);
      expect(off.mode === 'external' && off.issuers[0].introspection).toBeUndefined();
      const on = authSettingsFrom({
        ...base,
        GOOGLE_ACCESS_TOKENS: 'true',
        GOOGLE_TOKEN_INFO_URI: 'http://127.0.0.1:8080/tokeninfo',
        INTROSPECTION_MAX_AGE_MS: '5000',
      });
      expect(on.mode === 'external' && on.issuers[0].introspection).toMatchObject({
        tokenPrefixes: ['ya29.'],
        maxAgeMs: 5000,
      });
      expect(() => authSettingsFrom({ ...base, GOOGLE_ACCESS_TOKENS: 'yes' })).toThrow(
        'GOOGLE_ACCESS_TOKENS must be true or false, got "yes"',
      );
      expect(() =>
        authSettingsFrom({ ...base, GOOGLE_TOKEN_INFO_URI: 'http://127.0.0.1:8080/tokeninfo' }),
      ).toThrow('GOOGLE_TOKEN_INFO_URI needs GOOGLE_ACCESS_TOKENS=true');
      expect(() =>
        authSettingsFrom({ ...base, GOOGLE_ACCESS_TOKENS: 'true', GOOGLE_TOKEN_INFO_URI: 'x' }),
      ).toThrow('GOOGLE_TOKEN_INFO_URI must be an http(s) URL');
    });

    it('keeps the store in memory without REDIS_URL, and checks its scheme without echoing it', () => {
      expect(sharedStoreFrom({})).toBeUndefined();
      expect(sharedStoreFrom({ REDIS_URL: ' ' })).toBeUndefined();
      for (const REDIS_URL of ['http://user:pw@127.0.0.1:6379', 'not a url']) {
        let message = '';
        try {
          sharedStoreFrom({ REDIS_URL });
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toBe('REDIS_URL must be a redis:// or rediss:// URL');
      }
    });
  });

  describe('the MCP resource (OIDC_MCP_RESOURCE)', () => {
    const api = 'http://127.0.0.1:3000';

    it("defaults to the API's /mcp URL", () => {
      expect(mcpResourceFrom({}, api)).toBe('http://127.0.0.1:3000/mcp');
      expect(mcpResourceFrom({ OIDC_MCP_RESOURCE: '  ' }, api)).toBe('http://127.0.0.1:3000/mcp');
    });

    it('takes the URL clients reach the endpoint at', () => {
      expect(mcpResourceFrom({ OIDC_MCP_RESOURCE: 'https://notes.example.com/mcp' }, api)).toBe(
        'https://notes.example.com/mcp',
      );
    });

    it('refuses anything but an http(s) URL whose path is /mcp, the endpoint served', () => {
      for (const value of [
        'api://mcp',
        'https://notes.example.com',
        'https://notes.example.com/tools/mcp',
        'https://notes.example.com/mcp?x=1',
        'https://notes.example.com/mcp#a',
      ]) {
        expect(() => mcpResourceFrom({ OIDC_MCP_RESOURCE: value }, api)).toThrow(
          /^OIDC_MCP_RESOURCE must be/,
        );
      }
    });
  });
});
