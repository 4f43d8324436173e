import { auth0Claims } from '../providers/auth0.js';
import { azureAdClaims } from '../providers/azure-ad.js';
import { cognito, cognitoClaims } from '../providers/cognito.js';
import { genericClaims } from '../providers/generic.js';
import { googleClaims } from '../providers/google.js';
import { keycloak, keycloakClaims } from '../providers/keycloak.js';
import { oktaClaims } from '../providers/okta.js';
import type { ClaimMapper, JwtClaims } from '../core/claims/claims.js';
import type { IssuerOptions } from '../core/issuers/issuer-options.js';

export type ProviderShape =
  'generic' | 'azure-ad' | 'auth0' | 'keycloak' | 'okta' | 'cognito' | 'google';

/** Who a test token is for, in provider-neutral words. */
export interface TokenSubject {
  sub?: string;
  scopes?: readonly string[];
  roles?: readonly string[];
  clientId?: string;
  tenantId?: string;
  /** A client-credentials token: no user, the client is the subject. */
  appOnly?: boolean;
  /** Further claims, added last. */
  claims?: Record<string, unknown>;
}

/** Where test tokens put roles for Auth0 and whose client roles Keycloak tokens carry. */
export const TEST_AUTH0_ROLES_CLAIM = 'https://nest-oidc-auth.test/roles';
export const TEST_KEYCLOAK_CLIENT = 'test-api';

interface Shape {
  claims(
    who: Required<Omit<TokenSubject, 'claims' | 'tenantId'>> & { tenantId?: string },
  ): JwtClaims;
  mapper: ClaimMapper;
  issuerOptions?: Partial<IssuerOptions>;
}

const space = (list: readonly string[]) => list.join(' ');

function withoutIssuer(options: IssuerOptions): Partial<IssuerOptions> {
  const { issuer: _issuer, ...rest } = options;
  return rest;
}

/**
 * The claims each provider would put in a token for the same subject, and the mapper that reads
 * them, so tests exercise an application exactly as it will meet that provider's tokens.
 */
const SHAPES: Record<ProviderShape, Shape> = {
  generic: {
    claims: (w) => ({ sub: w.sub, client_id: w.clientId, scope: space(w.scopes), roles: w.roles }),
    mapper: genericClaims,
  },
  'azure-ad': {
    claims: (w) =>
      w.appOnly
        ? {
            sub: w.sub,
            oid: w.sub,
            azp: w.clientId,
            tid: w.tenantId,
            idtyp: 'app',
            roles: [...w.scopes, ...w.roles],
            ver: '2.0',
          }
        : {
            sub: w.sub,
            oid: `oid-${w.sub}`,
            azp: w.clientId,
            tid: w.tenantId,
            scp: space(w.scopes),
            roles: w.roles,
            ver: '2.0',
          },
    mapper: azureAdClaims,
  },
  auth0: {
    claims: (w) => ({
      sub: w.appOnly ? `${w.clientId}@clients` : w.sub,
      azp: w.clientId,
      scope: space(w.scopes),
      permissions: w.scopes,
      [TEST_AUTH0_ROLES_CLAIM]: w.roles,
      ...(w.appOnly ? { gty: 'client-credentials' } : {}),
    }),
    mapper: auth0Claims(TEST_AUTH0_ROLES_CLAIM),
  },
  keycloak: {
    claims: (w) => ({
      sub: w.sub,
      azp: w.clientId,
      scope: space(w.scopes),
      realm_access: { roles: w.roles },
      resource_access: { [TEST_KEYCLOAK_CLIENT]: { roles: [] } },
      preferred_username: w.appOnly ? `service-account-${w.clientId}` : w.sub,
      typ: 'Bearer',
    }),
    mapper: keycloakClaims(TEST_KEYCLOAK_CLIENT),
    // The preset's rule that only access tokens (typ Bearer) pass.
    issuerOptions: {
      validateClaims: keycloak({ url: 'https://test', realm: 'test', audience: 'test' })
        .validateClaims,
    },
  },
  okta: {
    claims: (w) => ({ sub: w.sub, cid: w.clientId, scp: w.scopes, groups: w.roles }),
    mapper: oktaClaims,
  },
  cognito: {
    claims: (w) => ({
      sub: w.sub,
      client_id: w.clientId,
      token_use: 'access',
      scope: space(w.scopes),
      'cognito:groups': w.roles,
      aud: undefined,
      ...(w.appOnly ? {} : { username: w.sub }),
    }),
    mapper: cognitoClaims,
    // The preset's own audience and token_use rules, for the test client id.
    issuerOptions: withoutIssuer(
      cognito({ region: 'test', userPoolId: 'test', clientId: 'test-client' }),
    ),
  },
  google: {
    claims: (w) => ({
      sub: w.sub,
      azp: w.clientId,
      email: w.appOnly
        ? `${w.clientId}@test-project.iam.gserviceaccount.com`
        : `${w.sub}@example.test`,
    }),
    mapper: googleClaims,
  },
};

export function providerClaims(shape: ProviderShape, who: TokenSubject): JwtClaims {
  const clientId = who.clientId ?? 'test-client';
  const claims = SHAPES[shape].claims({
    sub: who.sub ?? (who.appOnly ? clientId : 'test-user'),
    scopes: who.scopes ?? [],
    roles: who.roles ?? [],
    clientId,
    tenantId:
      who.tenantId ?? (shape === 'azure-ad' ? '00000000-0000-4000-8000-000000000000' : undefined),
    appOnly: who.appOnly ?? false,
  });
  return { ...claims, ...who.claims };
}

export function providerIssuerOptions(shape: ProviderShape): Partial<IssuerOptions> {
  return { claimMapper: SHAPES[shape].mapper, ...SHAPES[shape].issuerOptions };
}
