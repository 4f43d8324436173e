import { generateKeyPairSync } from 'node:crypto';
import {
  createVerifier,
  type IntrospectionOptions,
  OidcAuthConfigError,
} from '../../../../lib/index.js';

const ISS = 'https://as.example';

const build = (introspection: unknown, extra: Record<string, unknown> = {}) =>
  createVerifier({
    issuers: [
      {
        issuer: ISS,
        audience: 'api',
        introspection: introspection as IntrospectionOptions,
        ...extra,
      },
    ],
  });

describe('introspection options, checked at startup', () => {
  it('fills in the defaults and the client authentication a secret implies', () => {
    const [issuer] = build({ clientId: 'api', clientSecret: 's' }).issuers;
    expect(issuer.introspection).toMatchObject({
      client: { method: 'client_secret_basic', clientId: 'api', clientSecret: 's' },
      signedResponse: false,
      introspectJwts: false,
      timeoutMs: 3_000,
      maxBytes: 65_536,
      maxAgeMs: 60_000,
      inactiveMaxAgeMs: 10_000,
      discovery: { issuer: ISS },
    });
  });

  it('reads a PEM private key and picks the algorithm from its curve', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const [issuer] = build({ clientId: 'api', clientAssertion: { privateKey: pem } }).issuers;
    expect(issuer.introspection?.client).toMatchObject({
      method: 'private_key_jwt',
      algorithm: 'ES384',
    });
  });

  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it.each([
    ['no client id', { clientSecret: 's' }, 'introspection.clientId is required'],
    ['no credentials', { clientId: 'api' }, "clientAuthentication: 'none' said explicitly"],
    [
      'a secret and an assertion',
      { clientId: 'api', clientSecret: 's', clientAssertion: { privateKey: rsa.privateKey } },
      'not both',
    ],
    [
      'client_secret_post without a secret',
      { clientId: 'api', clientAuthentication: 'client_secret_post' },
      'clientSecret is required for client_secret_post',
    ],
    [
      'none with a secret',
      { clientId: 'api', clientSecret: 's', clientAuthentication: 'none' },
      'is none, but credentials are given',
    ],
    [
      'a public key as the assertion key',
      { clientId: 'api', clientAssertion: { privateKey: rsa.publicKey } },
      'must be a private KeyObject',
    ],
    [
      'an algorithm that does not fit the key',
      { clientId: 'api', clientAssertion: { privateKey: rsa.privateKey, algorithm: 'ES256' } },
      'must be an RS, PS, ES or EdDSA algorithm that fits the rsa key',
    ],
    [
      'an HMAC algorithm',
      { clientId: 'api', clientAssertion: { privateKey: rsa.privateKey, algorithm: 'HS256' } },
      'fits the rsa key',
    ],
    ['garbage PEM', { clientId: 'api', clientAssertion: { privateKey: 'nope' } }, 'not a PEM'],
    ['a relative endpoint', { clientId: 'api', clientSecret: 's', endpoint: '/x' }, 'absolute URL'],
    ['a zero timeout', { clientId: 'api', clientSecret: 's', timeoutMs: 0 }, 'timeoutMs must be'],
    ['a negative maxAgeMs', { clientId: 'api', clientSecret: 's', maxAgeMs: -1 }, 'maxAgeMs'],
    ['empty prefixes', { clientId: 'api', clientSecret: 's', tokenPrefixes: [''] }, 'non-empty'],
    [
      'a misspelt option',
      { clientId: 'api', clientSecret: 's', maxAge: 5 },
      'unknown options: maxAge',
    ],
    ['an introspector without introspect', { introspector: {} }, 'introspect(token) method'],
  ])('refuses %s', (_what, options, message) => {
    expect(() => build(options)).toThrow(OidcAuthConfigError);
    expect(() => build(options)).toThrow(message);
  });

  it('refuses signed responses for an issuer with a shared secret, and {tenantid} issuers', () => {
    expect(() =>
      build(
        { clientId: 'api', clientSecret: 's', signedResponse: true },
        { issuer: 'hs', secret: 'x'.repeat(32) },
      ),
    ).toThrow('signedResponse needs');
    expect(() =>
      build(
        { clientId: 'api', clientSecret: 's' },
        { issuer: 'https://login.example/{tenantid}/v2.0', allowedTenants: ['*'] },
      ),
    ).toThrow('cannot be used with a {tenantid} issuer');
  });
});
