import fc from 'fast-check';
import { SecurityEventError } from '../../../../lib/protocol/errors/errors.js';
import { targetsOf } from '../../../../lib/core/revocation/subject-identifier.js';

const IDP = 'https://idp.example';
const TENANTS = ['https://a.example', 'https://b.example'];

describe('targetsOf (RFC 9493 subject identifiers, SSF complex subjects)', () => {
  it('keys iss_sub by its own issuer, opaque and email by the transmitter token issuers', () => {
    expect(targetsOf({ format: 'iss_sub', iss: IDP, sub: 'bob' }, TENANTS)).toEqual([
      { scope: 'subject', issuer: IDP, value: 'bob' },
    ]);
    expect(targetsOf({ format: 'opaque', id: 'u1' }, TENANTS)).toEqual(
      TENANTS.map((issuer) => ({ scope: 'subject', issuer, value: 'u1' })),
    );
    expect(targetsOf({ format: 'email', email: 'bob@example.com' }, [IDP])).toEqual([
      { scope: 'email', issuer: IDP, value: 'bob@example.com' },
    ]);
  });

  it('takes every alias that names something, and none of the rest', () => {
    const aliases = {
      format: 'aliases',
      identifiers: [
        { format: 'iss_sub', iss: IDP, sub: 'bob' },
        { format: 'phone_number', phone_number: '+12065550100' },
        { format: 'email', email: 'bob@example.com' },
      ],
    };
    expect(targetsOf(aliases, [IDP])).toEqual([
      { scope: 'subject', issuer: IDP, value: 'bob' },
      { scope: 'email', issuer: IDP, value: 'bob@example.com' },
    ]);
  });

  it('turns a complex user + session into the session under the user issuer, a user alone into the user', () => {
    const user = { format: 'iss_sub', iss: IDP, sub: 'bob' };
    const session = { format: 'opaque', id: 'sid-1' };
    const tenant = { format: 'opaque', id: 't1' };
    expect(targetsOf({ format: 'complex', user, session, tenant }, TENANTS)).toEqual([
      { scope: 'session', issuer: IDP, value: 'sid-1' },
    ]);
    expect(targetsOf({ format: 'complex', session }, TENANTS)).toEqual(
      TENANTS.map((issuer) => ({ scope: 'session', issuer, value: 'sid-1' })),
    );
    expect(targetsOf({ format: 'complex', user, tenant }, TENANTS)).toEqual([
      { scope: 'subject', issuer: IDP, value: 'bob' },
    ]);
    expect(targetsOf({ format: 'complex', tenant }, TENANTS)).toBeUndefined();
  });

  it('acknowledges formats that name nothing a token is keyed by', () => {
    expect(targetsOf({ format: 'phone_number', phone_number: '+1' }, [IDP])).toBeUndefined();
    expect(targetsOf({ format: 'did', url: 'did:example:1' }, [IDP])).toBeUndefined();
    expect(
      targetsOf({ format: 'aliases', identifiers: [{ format: 'did', url: 'x' }] }, [IDP]),
    ).toBeUndefined();
  });

  it.each([
    ['not an object', 'bob'],
    ['no format', { sub: 'bob' }],
    ['an iss_sub without sub', { format: 'iss_sub', iss: IDP }],
    ['an empty opaque id', { format: 'opaque', id: '' }],
    ['a numeric email', { format: 'email', email: 5 }],
    ['empty aliases', { format: 'aliases', identifiers: [] }],
    [
      'nested aliases',
      { format: 'aliases', identifiers: [{ format: 'aliases', identifiers: [] }] },
    ],
    ['a complex user that is complex', { format: 'complex', user: { format: 'complex' } }],
    ['a complex session that is a string', { format: 'complex', session: 's' }],
  ])('refuses %s as invalid_request', (_what, subject) => {
    expect(() => targetsOf(subject, [IDP])).toThrow(SecurityEventError);
    try {
      targetsOf(subject, [IDP]);
    } catch (err) {
      expect((err as SecurityEventError).code).toBe('invalid_request');
    }
  });

  it('never throws anything but SecurityEventError, whatever JSON it is given (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          targetsOf(value, [IDP]);
        } catch (err) {
          expect(err).toBeInstanceOf(SecurityEventError);
        }
      }),
      { seed: 20_261_206, numRuns: 2000 },
    );
  });
});
