import { authSettingsFrom, port } from '../../../sample-app/src/config/auth-settings.js';

describe('sample app settings from the environment', () => {
  it('defaults to the embedded provider', () => {
    expect(authSettingsFrom({})).toEqual({
      mode: 'embedded',
      audience: 'api://notes',
      idpPort: 4000,
    });
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

  it('checks port numbers', () => {
    expect(port({ PORT: '8080' }, 'PORT', 3000)).toBe(8080);
    expect(port({}, 'PORT', 3000)).toBe(3000);
    expect(() => port({ PORT: 'eighty' }, 'PORT', 3000)).toThrow('PORT must be a TCP port number');
    expect(() => port({ PORT: '70000' }, 'PORT', 3000)).toThrow('PORT must be a TCP port number');
  });
});
