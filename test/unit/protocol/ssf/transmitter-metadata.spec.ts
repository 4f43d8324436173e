import { IssuerFetchError } from '../../../../lib/protocol/http/fetch-json.js';
import {
  POLL_DELIVERY,
  PUSH_DELIVERY,
  ssfConfigurationUrlOf,
  transmitterMetadataOf,
} from '../../../../lib/protocol/ssf/transmitter-metadata.js';

const ISSUER = 'https://ssf.example/tenant';

const document = (members: Record<string, unknown> = {}) => ({
  spec_version: '1_0',
  issuer: ISSUER,
  jwks_uri: 'https://ssf.example/jwks',
  delivery_methods_supported: [PUSH_DELIVERY, POLL_DELIVERY],
  configuration_endpoint: 'https://ssf.example/streams',
  status_endpoint: 'https://ssf.example/status',
  verification_endpoint: 'https://ssf.example/verify',
  ...members,
});

describe('ssfConfigurationUrlOf', () => {
  it.each([
    ['https://ssf.example', 'https://ssf.example/.well-known/ssf-configuration'],
    ['https://ssf.example/', 'https://ssf.example/.well-known/ssf-configuration'],
    ['https://ssf.example/tenant', 'https://ssf.example/.well-known/ssf-configuration/tenant'],
    ['http://127.0.0.1:4000/a/b/', 'http://127.0.0.1:4000/.well-known/ssf-configuration/a/b'],
  ])('puts the well-known path between the host and the path of %s', (issuer, url) => {
    expect(ssfConfigurationUrlOf(issuer)).toBe(url);
  });
});

describe('transmitterMetadataOf', () => {
  it('reads the keys, delivery methods and endpoints', () => {
    expect(transmitterMetadataOf(document(), ISSUER)).toEqual({
      issuer: ISSUER,
      jwksUri: 'https://ssf.example/jwks',
      deliveryMethods: [PUSH_DELIVERY, POLL_DELIVERY],
      configurationEndpoint: 'https://ssf.example/streams',
      statusEndpoint: 'https://ssf.example/status',
      verificationEndpoint: 'https://ssf.example/verify',
    });
  });

  it('leaves out the endpoints of a transmitter without stream management', () => {
    const metadata = transmitterMetadataOf(
      document({
        configuration_endpoint: undefined,
        status_endpoint: undefined,
        verification_endpoint: undefined,
        delivery_methods_supported: undefined,
      }),
      ISSUER,
    );
    expect(metadata.configurationEndpoint).toBeUndefined();
    expect(metadata.deliveryMethods).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'another issuer',
      { issuer: 'https://evil.example' },
      'names the issuer "https://evil.example"',
    ],
    ['no issuer', { issuer: undefined }, 'names the issuer undefined'],
    ['no jwks_uri', { jwks_uri: undefined }, 'has no jwks_uri'],
    ['a plain-http jwks_uri', { jwks_uri: 'http://ssf.example/jwks' }, 'jwks_uri is not an https'],
    ['a relative endpoint', { configuration_endpoint: '/streams' }, 'configuration_endpoint'],
    ['a non-string endpoint', { status_endpoint: 42 }, 'status_endpoint'],
    ['methods that are not strings', { delivery_methods_supported: [1] }, 'not a list of strings'],
  ])('refuses a document with %s', (_, members, message) => {
    const refused = () => transmitterMetadataOf(document(members), ISSUER);
    expect(refused).toThrow(IssuerFetchError);
    expect(refused).toThrow(message);
  });

  it('accepts plain-http endpoints of a plain-http issuer (a developer machine)', () => {
    const issuer = 'http://127.0.0.1:4000';
    const metadata = transmitterMetadataOf(
      { issuer, jwks_uri: `${issuer}/jwks`, configuration_endpoint: `${issuer}/ssf/streams` },
      issuer,
    );
    expect(metadata.jwksUri).toBe(`${issuer}/jwks`);
    expect(metadata.configurationEndpoint).toBe(`${issuer}/ssf/streams`);
  });
});
