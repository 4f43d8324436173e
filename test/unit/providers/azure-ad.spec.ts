import { OidcAuthConfigError } from '../../../lib/core/config/config-error.js';
import { azureAd, azureAdClaims } from '../../../lib/providers/azure-ad.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { TrustedIssuer } from '../../../lib/core/issuers/trusted-issuer.js';
import { judge } from './judge.js';

// Shapes as Microsoft Entra ID issues them (access-token claims reference; opaque claims such as
// aio, rh and uti kept so that the mapper is shown to ignore them).
const TENANT = '4d5c3b2a-1f0e-4a9b-8c7d-6e5f4a3b2c1d';
const OTHER_TENANT = 'f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0';
const API = '2b8f6c1e-7a3d-4e59-9c0b-5d4e3f2a1b0c'; // the API's application (client) id
const SPA = '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d'; // a client calling on behalf of a user
const DAEMON = '6f7e8d9c-0b1a-4c2d-9e3f-4a5b6c7d8e9f'; // a client calling as itself
const USER_OID = '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7';
const DAEMON_SP_OID = '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e';
const NOW = 1_750_000_000;

/** Audience, issuer and times of the v1.0 tokens below, as Entra ID stamps them. */
const v1Issued = {
  aud: `api://${API}`,
  iss: `https://sts.windows.net/${TENANT}/`,
  iat: NOW - 60,
  nbf: NOW - 60,
  exp: NOW + 3600,
};

/** The same for the v2.0 tokens. */
const v2Issued = {
  aud: API,
  iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  iat: NOW - 60,
  nbf: NOW - 60,
  exp: NOW + 3600,
};

/** v1.0 delegated: issuer sts.windows.net, audience the App ID URI, client in `appid`. */
const v1Delegated = {
  ...v1Issued,
  acr: '1',
  aio: 'AVQAq/8TAAAAx1c2Nl...',
  amr: ['pwd', 'mfa'],
  appid: SPA,
  appidacr: '0',
  family_name: 'Lincoln',
  given_name: 'Abe',
  ipaddr: '203.0.113.42',
  name: 'Abe Lincoln',
  oid: USER_OID,
  rh: '0.AXEAui...',
  scp: 'Notes.Read Notes.Write',
  sub: 'l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA',
  tid: TENANT,
  unique_name: 'abe@contoso.example',
  upn: 'abe@contoso.example',
  uti: 'fqiBqXLPj0eQa82S-IYFAA',
  ver: '1.0',
};

/** v2.0 delegated: audience the client id, client in `azp`, pairwise `sub` distinct from `oid`. */
const v2Delegated = {
  ...v2Issued,
  aio: 'AWQAm/8TAAAA...',
  azp: SPA,
  azpacr: '0',
  name: 'Abe Lincoln',
  oid: USER_OID,
  preferred_username: 'abe@contoso.example',
  rh: '0.AXEAui...',
  roles: ['Notes.Approver'], // an app role assigned to the user
  scp: 'Notes.Read Notes.Write',
  sid: '00b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
  sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ',
  tid: TENANT,
  uti: 'Y0dC3nFAHEG1gTDGc8IsAA',
  ver: '2.0',
};

/** v2.0 app-only (client credentials) with the `idtyp` optional claim: application permissions in `roles`. */
const v2AppOnly = {
  ...v2Issued,
  aio: 'k2BgYDi...',
  azp: DAEMON,
  azpacr: '1',
  idtyp: 'app',
  oid: DAEMON_SP_OID,
  rh: '0.AXEAui...',
  roles: ['Notes.Read.All', 'Notes.ReadWrite.All'],
  sub: DAEMON_SP_OID,
  tid: TENANT,
  uti: 'sS1HcmGaF0CgNY0fBFUQAA',
  ver: '2.0',
};

/** The same app-only token from a tenant that does not emit `idtyp`. */
const { idtyp: _idtyp, ...v2AppOnlyWithoutIdtyp } = v2AppOnly;

/** v1.0 app-only: client in `appid`, `oid` equal to `sub`, no `scp`. */
const v1AppOnly = {
  ...v1Issued,
  aio: 'E2ZgYJg...',
  appid: DAEMON,
  appidacr: '1',
  idp: `https://sts.windows.net/${TENANT}/`,
  oid: DAEMON_SP_OID,
  rh: '0.AXEAui...',
  roles: ['Notes.Read.All'],
  sub: DAEMON_SP_OID,
  tid: TENANT,
  uti: 'Bmq0nA2fU0G0Lz7vYzEAAA',
  ver: '1.0',
};

describe('azureAdClaims', () => {
  /** What the daemon's app-only tokens map to: its application permissions as scopes and roles. */
  const daemon = (permissions: string[]) => ({
    scopes: permissions,
    roles: permissions,
    clientId: DAEMON,
    tenantId: TENANT,
    isAppOnly: true,
    authContext: { acr: [], amr: [], authTime: undefined },
    clientCapabilities: [],
  });

  it('reads a v1 delegated token: scopes from scp, the client from appid', () => {
    expect(azureAdClaims(v1Delegated)).toEqual({
      scopes: ['Notes.Read', 'Notes.Write'],
      roles: [],
      clientId: SPA,
      tenantId: TENANT,
      isAppOnly: false,
      // A v1 acr of "1" is no authentication context; acrs would hold those.
      authContext: { acr: [], amr: ['pwd', 'mfa'], authTime: undefined },
      clientCapabilities: [],
    });
  });

  it('reads a v2 delegated token: scopes from scp, user app roles as roles only, client from azp', () => {
    expect(v2Delegated.sub).not.toBe(v2Delegated.oid);
    expect(azureAdClaims(v2Delegated)).toEqual({
      scopes: ['Notes.Read', 'Notes.Write'],
      roles: ['Notes.Approver'],
      clientId: SPA,
      tenantId: TENANT,
      isAppOnly: false,
      authContext: { acr: [], amr: [], authTime: undefined },
      clientCapabilities: [],
    });
  });

  it('gives a v2 app-only token (idtyp app) its application permissions as scopes', () => {
    expect(azureAdClaims(v2AppOnly)).toEqual(daemon(['Notes.Read.All', 'Notes.ReadWrite.All']));
  });

  it('recognises a v2 app-only token without idtyp (no scp, oid equal to sub)', () => {
    expect(azureAdClaims(v2AppOnlyWithoutIdtyp)).toEqual(
      daemon(['Notes.Read.All', 'Notes.ReadWrite.All']),
    );
  });

  it('recognises a v1 app-only token and reads its client from appid', () => {
    expect(azureAdClaims(v1AppOnly)).toEqual(daemon(['Notes.Read.All']));
  });

  it('never turns a user’s app roles into scopes', () => {
    // A user assigned the app role "Notes.Read.All" must not pass @Scopes('Notes.Read.All').
    const userWithRoleOnly = { ...v2Delegated, scp: undefined, roles: ['Notes.Read.All'] };
    expect(azureAdClaims(userWithRoleOnly)).toMatchObject({ scopes: [], isAppOnly: false });
  });

  it('trusts idtyp over the oid/sub heuristic', () => {
    expect(azureAdClaims({ ...v2AppOnly, idtyp: 'user' })).toMatchObject({
      scopes: [],
      isAppOnly: false,
    });
    expect(azureAdClaims({ ...v2AppOnly, oid: USER_OID })).toMatchObject({ isAppOnly: true });
  });

  it('does not call a token app-only when oid differs from sub and idtyp is absent', () => {
    expect(azureAdClaims({ ...v2AppOnlyWithoutIdtyp, oid: USER_OID })).toMatchObject({
      scopes: [],
      isAppOnly: false,
    });
  });

  it('prefers azp over appid for the client', () => {
    expect(azureAdClaims({ ...v2Delegated, appid: DAEMON }).clientId).toBe(SPA);
  });
});

describe('azureAd preset', () => {
  it('trusts a single tenant through two entries: v2 and v1, each with its discovery document', () => {
    const entries = azureAd({ tenantId: TENANT, clientId: API });
    expect(entries).toHaveLength(2);
    const [v2, v1] = entries;
    expect(v2).toMatchObject({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      discoveryUri: `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
      audience: [API, `api://${API}`],
      allowedTenants: undefined,
      claimMapper: azureAdClaims,
    });
    expect(v1).toMatchObject({
      issuer: `https://sts.windows.net/${TENANT}/`,
      discoveryUri: `https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`,
      audience: [API, `api://${API}`],
      allowedTenants: undefined,
      claimMapper: azureAdClaims,
    });
  });

  it('appends extra audiences such as a custom application ID URI', () => {
    const [v2, v1] = azureAd({
      tenantId: TENANT,
      clientId: API,
      audiences: ['https://notes.contoso.example'],
    });
    expect(v2.audience).toEqual([API, `api://${API}`, 'https://notes.contoso.example']);
    expect(v1.audience).toEqual(v2.audience);
  });

  it('single-tenant entries refuse a token whose tid is not the configured tenant', () => {
    for (const entry of azureAd({ tenantId: TENANT, clientId: API })) {
      expect(entry.validateClaims!(v2Delegated)).toBeUndefined();
      expect(entry.validateClaims!({ ...v2Delegated, tid: OTHER_TENANT })).toBe(
        'The token tenant (tid) does not match its issuer',
      );
    }
  });

  it.each(['organizations', 'common'])(
    'builds {tenantid} template issuers for the %s endpoint with the tenant allow-list',
    (tenantId) => {
      const [v2, v1] = azureAd({ tenantId, clientId: API, allowedTenants: [TENANT] });
      expect(v2).toMatchObject({
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        discoveryUri: `https://login.microsoftonline.com/${tenantId}/v2.0/.well-known/openid-configuration`,
        allowedTenants: [TENANT],
        audience: [API, `api://${API}`],
      });
      expect(v1).toMatchObject({
        issuer: 'https://sts.windows.net/{tenantid}/',
        discoveryUri: `https://login.microsoftonline.com/${tenantId}/.well-known/openid-configuration`,
        allowedTenants: [TENANT],
      });
      // The issuer registry checks iss against tid for templates; no preset rule is needed.
      expect(v2.validateClaims).toBeUndefined();
      expect(v1.validateClaims).toBeUndefined();
    },
  );

  it('uses other hosts for national clouds, without trailing slashes', () => {
    const [v2, v1] = azureAd({
      tenantId: TENANT,
      clientId: API,
      instance: 'https://login.microsoftonline.us/',
      v1Instance: 'https://sts.windows.net/',
    });
    expect(v2.issuer).toBe(`https://login.microsoftonline.us/${TENANT}/v2.0`);
    expect(v1.issuer).toBe(`https://sts.windows.net/${TENANT}/`);
    expect(v1.discoveryUri).toBe(
      `https://login.microsoftonline.us/${TENANT}/.well-known/openid-configuration`,
    );
  });

  it('points at a local instance for tests', () => {
    const [v2] = azureAd({ tenantId: TENANT, clientId: API, instance: 'http://127.0.0.1:9999/' });
    expect(v2.issuer).toBe(`http://127.0.0.1:9999/${TENANT}/v2.0`);
    expect(v2.discoveryUri).toBe(
      `http://127.0.0.1:9999/${TENANT}/v2.0/.well-known/openid-configuration`,
    );
  });

  it('needs allowedTenants for a multi-tenant API (reported when the issuer is built)', () => {
    const [v2] = azureAd({ tenantId: 'organizations', clientId: API });
    expect(() => new TrustedIssuer(v2, 'issuers[0]')).toThrow(OidcAuthConfigError);
    expect(() => new TrustedIssuer(v2, 'issuers[0]')).toThrow(
      /issuers\[0\]\.allowedTenants is required/,
    );
  });
});

describe('azureAd preset with the verifier’s claim rules', () => {
  const principal = (result: OidcPrincipal | string): OidcPrincipal => {
    if (typeof result === 'string') throw new Error(`refused: ${result}`);
    return result;
  };

  describe('single tenant', () => {
    const check = judge(azureAd({ tenantId: TENANT, clientId: API }), NOW);

    it('accepts v1 and v2, delegated and app-only tokens of its tenant', () => {
      expect(principal(check(v1Delegated)).scopes).toEqual(new Set(['Notes.Read', 'Notes.Write']));
      expect(principal(check(v2Delegated)).subject).toBe(v2Delegated.sub);
      expect(principal(check(v2AppOnly)).hasScope('Notes.ReadWrite.All')).toBe(true);
      expect(principal(check(v2AppOnlyWithoutIdtyp)).isAppOnly).toBe(true);
      expect(principal(check(v1AppOnly)).clientId).toBe(DAEMON);
    });

    it('refuses another tenant’s issuer, a tid that disagrees with the issuer, and another API', () => {
      expect(
        check({
          ...v2Delegated,
          iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`,
          tid: OTHER_TENANT,
        }),
      ).toBe('unknown_issuer');
      expect(check({ ...v2Delegated, tid: OTHER_TENANT })).toBe('claim_invalid');
      expect(check({ ...v2Delegated, aud: '00000003-0000-0000-c000-000000000000' })).toBe(
        'audience_mismatch',
      );
    });
  });

  describe('multi-tenant (organizations)', () => {
    const check = judge(
      azureAd({ tenantId: 'organizations', clientId: API, allowedTenants: [TENANT] }),
      NOW,
    );

    it('accepts v1 and v2 tokens of an allowed tenant', () => {
      expect(principal(check(v2Delegated)).tenantId).toBe(TENANT);
      expect(principal(check(v1Delegated)).tenantId).toBe(TENANT);
      expect(principal(check(v2AppOnly)).isAppOnly).toBe(true);
    });

    it('refuses a tenant that is not allowed, and an issuer that is not the token’s tid', () => {
      const foreign = {
        ...v2Delegated,
        iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`,
        tid: OTHER_TENANT,
      };
      expect(check(foreign)).toBe('tenant_not_allowed');
      expect(check({ ...v2Delegated, tid: OTHER_TENANT })).toBe('issuer_mismatch');
      expect(check({ ...v1Delegated, iss: `https://sts.windows.net/${OTHER_TENANT}/` })).toBe(
        'issuer_mismatch',
      );
    });
  });
});

describe('azureAd tenant ids', () => {
  it.each(['contoso.onmicrosoft.com', 'consumers', ''])(
    'refuses %j, which no token issuer carries',
    (tenantId) => {
      expect(() => azureAd({ tenantId, clientId: 'c' })).toThrow(
        /azureAd\.tenantId must be the directory \(tenant\) id/,
      );
    },
  );
});
