import { InvalidTokenError } from '../../../../lib/protocol/errors/errors.js';
import type { IssuerOptions } from '../../../../lib/core/issuers/issuer-options.js';
import { IssuerRegistry } from '../../../../lib/core/issuers/issuer-registry.js';
import { TrustedIssuer } from '../../../../lib/core/issuers/trusted-issuer.js';
import { thrown } from '../../../support/thrown.js';

const TENANT = '4d5c3b2a-1f0e-4a9b-8c7d-6e5f4a3b2c1d';
const SECOND = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const STRANGER = 'f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0';
const V2 = 'https://login.microsoftonline.com/{tenantid}/v2.0';
const V1 = 'https://sts.windows.net/{tenantid}/';

const issuer = (options: Partial<IssuerOptions>, i = 0) =>
  new TrustedIssuer({ audience: 'api', ...options } as IssuerOptions, `issuers[${i}]`);

const refusal = (registry: IssuerRegistry, payload: Record<string, unknown>) =>
  thrown(InvalidTokenError, () => registry.select(payload));

describe('IssuerRegistry', () => {
  describe('exact issuers', () => {
    const keycloak = issuer({ issuer: 'https://sso.example.com/realms/acme' });
    const auth0 = issuer({ issuer: 'https://notes-demo.eu.auth0.com/' }, 1);
    const registry = new IssuerRegistry([keycloak, auth0]);

    it('selects the entry whose issuer equals iss', () => {
      expect(registry.select({ iss: 'https://sso.example.com/realms/acme' })).toBe(keycloak);
      expect(registry.select({ iss: 'https://notes-demo.eu.auth0.com/' })).toBe(auth0);
    });

    it.each([
      'https://sso.example.com/realms/acme/',
      'https://SSO.example.com/realms/acme',
      'https://sso.example.com/realms/ACME',
      'http://sso.example.com/realms/acme',
      'https://sso.example.com/realms/acme2',
      'https://notes-demo.eu.auth0.com',
      'https://evil.example/https://sso.example.com/realms/acme',
    ])('refuses the near miss %s as unknown_issuer', (iss) => {
      const err = refusal(registry, { iss });
      expect(err.reason).toBe('unknown_issuer');
      expect(err.message).toBe('The token issuer is not trusted by this API');
    });

    it.each([
      [{}],
      [{ iss: '' }],
      [{ iss: 42 }],
      [{ iss: ['https://sso.example.com/realms/acme'] }],
    ])('refuses %j as malformed (no iss)', (payload) => {
      const err = refusal(registry, payload);
      expect(err.reason).toBe('malformed_token');
      expect(err.message).toBe('The token has no iss claim');
    });
  });

  describe('{tenantid} templates', () => {
    const v2 = issuer({ issuer: V2, allowedTenants: [TENANT, SECOND] });
    const v1 = issuer({ issuer: V1, allowedTenants: [TENANT, SECOND] }, 1);
    const registry = new IssuerRegistry([v2, v1]);

    it('selects the template for an allowed tenant whose tid matches the issuer', () => {
      expect(
        registry.select({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT }),
      ).toBe(v2);
      expect(registry.select({ iss: `https://sts.windows.net/${SECOND}/`, tid: SECOND })).toBe(v1);
    });

    it('refuses a tenant that is not allowed as tenant_not_allowed', () => {
      expect(
        refusal(registry, {
          iss: `https://login.microsoftonline.com/${STRANGER}/v2.0`,
          tid: STRANGER,
        }),
      ).toMatchObject({
        reason: 'tenant_not_allowed',
        message: 'The token tenant is not allowed by this API',
      });
    });

    it('refuses an iss whose tenant is not the tid as issuer_mismatch, allowed or not', () => {
      // An allowed tenant's tid with another (even allowed) tenant's issuer.
      const err = refusal(registry, {
        iss: `https://login.microsoftonline.com/${SECOND}/v2.0`,
        tid: TENANT,
      });
      expect(err.reason).toBe('issuer_mismatch');
      expect(err.message).toBe('The token issuer does not match its tenant (tid)');
      expect(
        refusal(registry, { iss: `https://sts.windows.net/${TENANT}/`, tid: STRANGER }).reason,
      ).toBe('issuer_mismatch');
    });

    it('refuses a template issuer without tid, or with a non-string tid, as issuer_mismatch', () => {
      const iss = `https://login.microsoftonline.com/${TENANT}/v2.0`;
      expect(refusal(registry, { iss }).reason).toBe('issuer_mismatch');
      expect(refusal(registry, { iss, tid: [TENANT] }).reason).toBe('issuer_mismatch');
    });

    it('does not match an empty tenant segment or other hosts and paths', () => {
      for (const iss of [
        'https://login.microsoftonline.com//v2.0',
        `https://login.microsoftonline.com/${TENANT}/v2.0/`,
        `https://login.microsoftonline.com/${TENANT}`,
        `https://login.microsoftonline.us/${TENANT}/v2.0`,
      ]) {
        expect(refusal(registry, { iss, tid: TENANT }).reason).toBe('unknown_issuer');
      }
    });

    it('accepts any tenant whose tid matches when allowedTenants is ["*"]', () => {
      const any = new IssuerRegistry([issuer({ issuer: V2, allowedTenants: ['*'] })]);
      expect(
        any.select({ iss: `https://login.microsoftonline.com/${STRANGER}/v2.0`, tid: STRANGER })
          ?.isTemplate,
      ).toBe(true);
      expect(
        refusal(any, { iss: `https://login.microsoftonline.com/${STRANGER}/v2.0`, tid: TENANT })
          .reason,
      ).toBe('issuer_mismatch');
    });

    it('prefers an exact entry over a template that would also match', () => {
      const exact = issuer({ issuer: `https://login.microsoftonline.com/${STRANGER}/v2.0` }, 2);
      const mixed = new IssuerRegistry([v2, exact]);
      // tid is not even checked for exact issuers: the single-tenant preset checks it itself.
      expect(mixed.select({ iss: `https://login.microsoftonline.com/${STRANGER}/v2.0` })).toBe(
        exact,
      );
    });

    it('keeps the issuers it was built from', () => {
      expect(registry.issuers).toEqual([v2, v1]);
    });
  });
});
