import {
  extractBearerToken,
  MAX_BEARER_TOKEN_LENGTH,
} from '../../../../lib/protocol/bearer/bearer-token.js';
import {
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  OidcAuthError,
} from '../../../../lib/protocol/errors/errors.js';
import { thrown } from '../../../support/thrown.js';

const token =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lkcCIsInN1YiI6ImFsaWNlIn0.c2lnbmF0dXJl';
const from = (authorization: string | string[] | undefined, query?: unknown, allowQuery = false) =>
  extractBearerToken({ authorization, query, allowQuery });

const refusal = (run: () => unknown) => thrown(OidcAuthError, run);

describe('extractBearerToken from the Authorization header', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])(
    'reads the token after the %s scheme (case-insensitive, RFC 7235 §2.1)',
    (scheme) => {
      expect(from(`${scheme} ${token}`)).toBe(token);
    },
  );

  it.each([
    ['Bearer abc==', 'abc=='],
    ['Bearer   abc', 'abc'],
    ['Bearer abc  ', 'abc'],
    ['Bearer a-b.c_d~e+f/g', 'a-b.c_d~e+f/g'],
  ])('accepts the b64token %j', (header, expected) => {
    expect(from(header)).toBe(expected);
  });

  it('reports no credentials when there is no header', () => {
    const err = refusal(() => from(undefined));
    expect(err).toBeInstanceOf(MissingTokenError);
    expect(err.reason).toBe('missing_token');
  });

  it.each([
    'Basic dXNlcjpwYXNzd29yZA==',
    'DPoP eyJhbGciOiJFUzI1NiJ9.e30.sig',
    'Digest username="a"',
    'Basic',
  ])('treats the other scheme in %j as no bearer credentials', (header) => {
    expect(refusal(() => from(header))).toBeInstanceOf(MissingTokenError);
  });

  it.each([
    ['Bearer', 'the scheme alone'],
    ['Bearer ', 'an empty token'],
    ['Bearer a b', 'two tokens'],
    [`Bearer ${token} ${token}`, 'two JWTs'],
    ['Bearer a"b', 'a quote'],
    ['Bearer a,b', 'a comma'],
    ['Bearer tök', 'non-ASCII'],
    ['Bearer =abc', 'padding first'],
    ['Bearer abc=d', 'padding inside'],
    ['Bearer\tabc', 'a tab for a space'],
    ['Bearer,abc', 'a comma for a space'],
    ['', 'an empty header'],
    [' Bearer abc', 'a leading space'],
  ])('refuses %j (%s) as invalid_request', (header) => {
    const err = refusal(() => from(header));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.reason).toBe('invalid_request');
    expect(err.message).toBe(
      'The Authorization header must have the form "Bearer <token>" with exactly one token',
    );
  });

  it('refuses several Authorization headers, even when they agree', () => {
    const err = refusal(() => from([`Bearer ${token}`, `Bearer ${token}`]));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.message).toBe('The request has more than one Authorization header');
    expect(refusal(() => from([`Bearer ${token}`]))).toBeInstanceOf(InvalidRequestError);
  });
});

describe('extractBearerToken from the query string (RFC 6750 §2.3)', () => {
  it('refuses a query token unless enabled', () => {
    const err = refusal(() => from(undefined, token));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.message).toBe(
      'Access tokens are not accepted in the query string; send them in the Authorization header',
    );
    // Refused even next to a valid header: the token has leaked into the URL either way.
    expect(refusal(() => from(`Bearer ${token}`, token))).toBeInstanceOf(InvalidRequestError);
  });

  it('reads a query token when enabled', () => {
    expect(from(undefined, token, true)).toBe(token);
  });

  it('reports no credentials when enabled and there is neither header nor query token', () => {
    expect(refusal(() => from(undefined, undefined, true))).toBeInstanceOf(MissingTokenError);
  });

  it.each([
    [[token, token], 'repeated'],
    [{ a: token }, 'an object (qs nesting)'],
    ['', 'empty'],
    ['a b', 'with a space'],
  ] as Array<[unknown, string]>)('refuses a query value %j (%s) when enabled', (query) => {
    const err = refusal(() => from(undefined, query, true));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.message).toBe('The access_token query parameter must hold exactly one token');
  });

  it('refuses a token in both the header and the query', () => {
    const err = refusal(() => from(`Bearer ${token}`, token, true));
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err.message).toBe(
      'The request carries a token in both the Authorization header and the query string',
    );
  });

  it('reads the query token when the header carries another scheme', () => {
    expect(from('Basic dXNlcjpwYXNzd29yZA==', token, true)).toBe(token);
  });
});

describe('extractBearerToken length cap', () => {
  const longest = 'a'.repeat(MAX_BEARER_TOKEN_LENGTH);
  const tooLong = `${longest}b`;

  it('is 16 KiB', () => {
    expect(MAX_BEARER_TOKEN_LENGTH).toBe(16384);
  });

  it('accepts a token of exactly the longest length, in the header and the query', () => {
    expect(from(`Bearer ${longest}`)).toBe(longest);
    expect(from(undefined, longest, true)).toBe(longest);
  });

  it.each([
    ['the header', () => from(`Bearer ${tooLong}`)],
    ['the header, megabytes long', () => from(`Bearer ${'a'.repeat(4 * 1024 * 1024)}`)],
    ['the header, malformed and long', () => from(`Bearer ${'a "b" '.repeat(4000)}`)],
    ['an allowed query', () => from(undefined, tooLong, true)],
  ])('refuses a longer token in %s as invalid_token', (_where, run) => {
    const err = refusal(run);
    expect(err).toBeInstanceOf(InvalidTokenError);
    expect(err.reason).toBe('malformed_token');
    expect(err.message).toBe('The access token is longer than 16384 characters');
  });

  it('answers a long token in a place RFC 6750 does not allow as invalid_request', () => {
    expect(refusal(() => from(undefined, tooLong))).toBeInstanceOf(InvalidRequestError);
    expect(refusal(() => from(`Bearer ${token}`, tooLong, true))).toBeInstanceOf(
      InvalidRequestError,
    );
    expect(refusal(() => from([`Bearer ${tooLong}`, 'Bearer x']))).toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('still treats a long header of another scheme as no bearer credentials', () => {
    expect(refusal(() => from(`Basic ${tooLong}`))).toBeInstanceOf(MissingTokenError);
  });
});
