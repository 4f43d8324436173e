import { InvalidTokenError } from '../../../../lib/protocol/errors/errors.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import type { IssuerOptions } from '../../../../lib/core/issuers/issuer-options.js';
import { IssuerRegistry } from '../../../../lib/core/issuers/issuer-registry.js';
import { TrustedIssuer } from '../../../../lib/core/issuers/trusted-issuer.js';

const build = (options: Partial<IssuerOptions>) =>
  new TrustedIssuer(
    { issuer: 'https://idp.example', audience: 'api', ...options } as IssuerOptions,
    'issuers[0]',
  );

describe('issuer aliases (RFC 7519 StringOrURI iss)', () => {
  const google = build({
    issuer: 'https://accounts.google.com',
    issuerAliases: ['accounts.google.com'],
  });
  const other = new TrustedIssuer(
    { issuer: 'https://sso.example.com/realms/acme', audience: 'api' },
    'issuers[1]',
  );
  const registry = new IssuerRegistry([google, other]);

  it('selects the same entry, and so the same key set, for the issuer and each alias', () => {
    expect(registry.select({ iss: 'https://accounts.google.com' })).toBe(google);
    expect(registry.select({ iss: 'accounts.google.com' })).toBe(google);
    expect(google.keySet).toBeDefined();
    expect(registry.select({ iss: 'https://sso.example.com/realms/acme' })).toBe(other);
  });

  it('matches aliases exactly, like issuers', () => {
    for (const iss of [
      'Accounts.google.com',
      'accounts.google.com/',
      'http://accounts.google.com',
    ]) {
      expect(() => registry.select({ iss })).toThrow(InvalidTokenError);
    }
  });

  it('takes any URI for an alias (StringOrURI), not only http(s)', () => {
    const urn = build({ issuerAliases: ['urn:example:idp', 'idp.example'] });
    expect(new IssuerRegistry([urn]).select({ iss: 'urn:example:idp' })).toBe(urn);
  });

  it('has no aliases unless configured', () => {
    expect(other.aliases).toEqual([]);
    expect(() => new IssuerRegistry([other]).select({ iss: 'sso.example.com' })).toThrow(
      'The token issuer is not trusted by this API',
    );
  });

  it.each([
    [['two words'], 'issuers[0].issuerAliases[0] must have no spaces, got "two words"'],
    [[''], 'issuers[0].issuerAliases[0] must have no spaces, got ""'],
    [['ok', 42], 'issuers[0].issuerAliases[1] must be a string'],
    [['urn:x y'], 'issuers[0].issuerAliases[0] must have no spaces, got "urn:x y"'],
    [[':idp'], 'issuers[0].issuerAliases[0] has a colon but is no URI, got ":idp"'],
    [['idp{tenantid}'], 'issuers[0].issuerAliases cannot be combined with {tenantid}'],
  ])('refuses the aliases %j at startup', (issuerAliases, message) => {
    expect(() => build({ issuerAliases: issuerAliases as string[] })).toThrow(
      new OidcAuthConfigError(message.split(' ')[0], message.slice(message.indexOf(' ') + 1)),
    );
  });

  it('refuses aliases on a {tenantid} template', () => {
    expect(() =>
      build({
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        allowedTenants: ['*'],
        issuerAliases: ['login.microsoftonline.com'],
      }),
    ).toThrow('OidcAuthModule: issuers[0].issuerAliases cannot be combined with {tenantid}');
  });
});

describe('an issuer that is not a URL', () => {
  it('needs its keys named: there is no discovery document to read', () => {
    expect(() => build({ issuer: 'accounts.google.com' })).toThrow(
      'OidcAuthModule: issuers[0].issuer must be an absolute URL, got "accounts.google.com"',
    );
    expect(() =>
      build({ issuer: 'accounts.google.com', discoveryUri: 'https://accounts.google.com/x' }),
    ).toThrow(OidcAuthConfigError);
  });

  it('is accepted with jwksUri, jwks or a secret', () => {
    const jwksUri = 'https://www.googleapis.com/oauth2/v3/certs';
    expect(build({ issuer: 'accounts.google.com', jwksUri }).issuer).toBe('accounts.google.com');
    expect(build({ issuer: 'idp', jwks: { keys: [] } }).issuer).toBe('idp');
    expect(build({ issuer: 'idp', secret: 's'.repeat(32) }).secret).toBeDefined();
    expect(() => build({ issuer: 'an idp', jwks: { keys: [] } })).toThrow(
      'OidcAuthModule: issuers[0].issuer must have no spaces, got "an idp"',
    );
  });
});
