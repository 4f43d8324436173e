import fc from 'fast-check';
import { auth0 } from '../../../lib/providers/auth0.js';
import { azureAd } from '../../../lib/providers/azure-ad.js';
import { cognito } from '../../../lib/providers/cognito.js';
import { oidc } from '../../../lib/providers/generic.js';
import { google } from '../../../lib/providers/google.js';
import { keycloak } from '../../../lib/providers/keycloak.js';
import { okta } from '../../../lib/providers/okta.js';
import type { ClaimMapping } from '../../../lib/core/claims/claims.js';
import type { IssuerOptions } from '../../../lib/core/issuers/issuer-options.js';

// A signed token's claims may hold any JSON at all. Every preset's claim mapper and provider rule
// must answer for each (a mapping, or a refusal message), never throw: a throw there would be a
// 500 for a token the issuer really signed.
const PRESETS: Array<[string, IssuerOptions]> = [
  ['oidc', oidc({ issuer: 'https://idp.example', audience: 'api' })],
  ['azureAd', azureAd({ tenantId: '4d5c3b2a-1f0e-4a9b-8c7d-6e5f4a3b2c1d', clientId: 'api' })[0]],
  [
    'azureAd multi-tenant',
    azureAd({ tenantId: 'organizations', clientId: 'api', allowedTenants: ['*'] })[0],
  ],
  ['auth0', auth0({ domain: 'example.auth0.com', audience: 'api', rolesClaim: 'https://x/roles' })],
  [
    'keycloak',
    keycloak({ url: 'https://sso.example', realm: 'r', audience: 'api', clientId: 'api' }),
  ],
  ['okta', okta({ domain: 'example.okta.com' })],
  ['cognito', cognito({ region: 'eu-west-1', userPoolId: 'eu-west-1_Ab', clientId: 'c' })],
  ['google', google({ audience: 'api', hostedDomains: ['example.com'] })],
];

const CLAIM_NAMES = [
  'sub',
  'scope',
  'scp',
  'roles',
  'permissions',
  'groups',
  'client_id',
  'azp',
  'appid',
  'cid',
  'tid',
  'oid',
  'idtyp',
  'gty',
  'typ',
  'token_use',
  'cognito:groups',
  'realm_access',
  'resource_access',
  'preferred_username',
  'email',
  'hd',
  'https://x/roles',
  'username',
];

const claims = fc.dictionary(
  fc.oneof(fc.constantFrom(...CLAIM_NAMES), fc.string()),
  fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.constantFrom('roles', 'api', 'account'), fc.jsonValue()),
  ),
);

function isMapping(value: ClaimMapping): boolean {
  const strings = (list: unknown) =>
    Array.isArray(list) && list.every((v) => typeof v === 'string');
  return (
    strings(value.scopes) &&
    strings(value.roles) &&
    typeof value.isAppOnly === 'boolean' &&
    (value.clientId === undefined || typeof value.clientId === 'string') &&
    (value.tenantId === undefined || typeof value.tenantId === 'string')
  );
}

describe.each(PRESETS)('the %s preset over arbitrary claims', (_name, preset) => {
  it('maps every claim set to string lists and a boolean, and judges it without throwing', () => {
    fc.assert(
      fc.property(claims, (generated) => {
        const mapping = preset.claimMapper!(generated);
        const verdict = preset.validateClaims?.(generated);
        return isMapping(mapping) && (verdict === undefined || typeof verdict === 'string');
      }),
      { seed: 20261124, numRuns: 1000 },
    );
  });
});
