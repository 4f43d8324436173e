import { azureAd, azureAdClaims, azureAdTokenClient } from '../../../lib/providers/azure-ad.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';

// Shapes as Entra ID issues them (trimmed of claims the mapper ignores).
const v2Delegated = {
  aud: API,
  iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  azp: '1950a258-227b-4e31-a9cf-717495945fc2',
  azpacr: '0',
  name: 'Abe Lincoln',
  oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
  preferred_username: 'abeli@microsoft.com',
  roles: ['Notes.Admin'],
  scp: 'Notes.Read Notes.Write',
  sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ',
  tid: TENANT,
  ver: '2.0',
};

const v1Delegated = {
  aud: `api://${API}`,
  iss: `https://sts.windows.net/${TENANT}/`,
  appid: '1950a258-227b-4e31-a9cf-717495945fc2',
  oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
  scp: 'user_impersonation',
  sub: 'l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA',
  tid: TENANT,
  unique_name: 'abeli@microsoft.com',
  ver: '1.0',
};

const v2AppOnly = {
  aud: API,
  iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  azp: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
  idtyp: 'app',
  oid: 'a1b2c3d4-0000-4000-8000-000000000001',
  roles: ['Notes.Read.All', 'Notes.Write.All'],
  sub: 'a1b2c3d4-0000-4000-8000-000000000001',
  tid: TENANT,
  ver: '2.0',
};

describe('azureAdClaims', () => {
  it('reads delegated scopes from scp and app roles from roles (v2)', () => {
    expect(azureAdClaims(v2Delegated)).toEqual({
      scopes: ['Notes.Read', 'Notes.Write'],
      roles: ['Notes.Admin'],
      clientId: v2Delegated.azp,
      tenantId: TENANT,
      isAppOnly: false,
    });
  });

  it('reads the client from appid on v1 tokens', () => {
    expect(azureAdClaims(v1Delegated)).toMatchObject({
      scopes: ['user_impersonation'],
      clientId: v1Delegated.appid,
      isAppOnly: false,
    });
  });

  it('treats idtyp app tokens as app-only and their application permissions as scopes', () => {
    expect(azureAdClaims(v2AppOnly)).toEqual({
      scopes: ['Notes.Read.All', 'Notes.Write.All'],
      roles: ['Notes.Read.All', 'Notes.Write.All'],
      clientId: v2AppOnly.azp,
      tenantId: TENANT,
      isAppOnly: true,
    });
  });

  it('recognises app-only tokens without idtyp: no scp and oid equal to sub', () => {
    const { idtyp: _omitted, ...withoutIdtyp } = v2AppOnly;
    expect(azureAdClaims(withoutIdtyp).isAppOnly).toBe(true);
    expect(azureAdClaims({ ...withoutIdtyp, oid: 'someone-else' }).isAppOnly).toBe(false);
  });

  it('never turns a user’s app roles into scopes', () => {
    expect(azureAdClaims({ ...v2Delegated, scp: undefined }).scopes).toEqual([]);
  });
});

describe('azureAd preset', () => {
  it('trusts v2 and v1 issuers of a single tenant, for clientId and api://clientId', () => {
    const [v2, v1] = azureAd({ tenantId: TENANT, clientId: API });
    expect(v2).toMatchObject({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      discoveryUri: `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
      audience: [API, `api://${API}`],
    });
    expect(v1).toMatchObject({
      issuer: `https://sts.windows.net/${TENANT}/`,
      discoveryUri: `https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`,
    });
  });

  it('refuses a single-tenant token whose tid disagrees with its issuer', () => {
    const [v2] = azureAd({ tenantId: TENANT, clientId: API });
    expect(v2.validateClaims!(v2Delegated)).toBeUndefined();
    expect(v2.validateClaims!({ ...v2Delegated, tid: 'other-tenant' })).toMatch(/tid/);
  });

  it('builds {tenantid} template issuers with the allow-list for multi-tenant APIs', () => {
    const [v2, v1] = azureAd({
      tenantId: 'organizations',
      clientId: API,
      allowedTenants: [TENANT],
    });
    expect(v2.issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
    expect(v1.issuer).toBe('https://sts.windows.net/{tenantid}/');
    expect(v2.allowedTenants).toEqual([TENANT]);
    expect(v2.discoveryUri).toBe(
      'https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration',
    );
  });

  it('uses another instance for national clouds and tests', () => {
    const [v2] = azureAd({ tenantId: TENANT, clientId: API, instance: 'http://127.0.0.1:9999/' });
    expect(v2.issuer).toBe(`http://127.0.0.1:9999/${TENANT}/v2.0`);
  });
});

describe('azureAdTokenClient preset', () => {
  it('uses the v2 token endpoint and the on-behalf-of flow', () => {
    expect(azureAdTokenClient({ tenantId: TENANT, clientId: API, clientSecret: 's' })).toEqual({
      tokenEndpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
      clientId: API,
      clientSecret: 's',
      clientAssertion: undefined,
      exchange: 'on-behalf-of',
    });
  });
});
