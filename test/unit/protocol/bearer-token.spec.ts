import { extractBearerToken } from '../../../lib/protocol/bearer-token.js';
import { InvalidRequestError, MissingTokenError } from '../../../lib/protocol/errors.js';

const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const from = (authorization: string | string[] | undefined, query?: unknown, allowQuery = false) =>
  extractBearerToken({ authorization, query, allowQuery });

describe('extractBearerToken', () => {
  it.each(['Bearer', 'bearer', 'BEARER'])('reads a token after the %s scheme', (scheme) => {
    expect(from(`${scheme} ${token}`)).toBe(token);
  });

  it('accepts b64token padding and several spaces after the scheme', () => {
    expect(from('Bearer   abc==')).toBe('abc==');
  });

  it('reports no credentials when there is no header', () => {
    expect(() => from(undefined)).toThrow(MissingTokenError);
  });

  it('treats another scheme as no bearer credentials', () => {
    expect(() => from('Basic dXNlcjpwYXNz')).toThrow(MissingTokenError);
    expect(() => from('DPoP abc')).toThrow(MissingTokenError);
  });

  it.each([
    ['Bearer', 'no token'],
    ['Bearer ', 'empty token'],
    [`Bearer ${token} ${token}`, 'two tokens'],
    ['Bearer a"b', 'a quote'],
    ['Bearer tök', 'non-ASCII'],
    ['', 'an empty header'],
  ])('refuses %j (%s) as invalid_request', (header) => {
    expect(() => from(header)).toThrow(InvalidRequestError);
  });

  it('refuses several Authorization headers', () => {
    expect(() => from([`Bearer ${token}`, `Bearer ${token}`])).toThrow(
      /more than one Authorization/,
    );
  });

  it('refuses a query token unless enabled, and reads it when enabled', () => {
    expect(() => from(undefined, token)).toThrow(/not accepted in the query string/);
    expect(from(undefined, token, true)).toBe(token);
    expect(() => from(undefined, [token, token], true)).toThrow(InvalidRequestError);
  });

  it('refuses a token in both the header and the query', () => {
    expect(() => from(`Bearer ${token}`, token, true)).toThrow(
      /both the Authorization header and the query/,
    );
  });
});
