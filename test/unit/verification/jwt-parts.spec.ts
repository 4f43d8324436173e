import {
  decodeBase64url,
  decodeUnverified,
  KnownHeaders,
} from '../../../lib/verification/jwt-parts.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function refusal(run: () => unknown): { reason: string; message: string } {
  try {
    run();
  } catch (err) {
    return err as { reason: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('decodeBase64url', () => {
  it('accepts what Buffer encodes as base64url, for every length mod 4', () => {
    for (let length = 1; length <= 40; length += 1) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) & 0xff));
      expect(decodeBase64url(bytes.toString('base64url'), 'payload')).toEqual(bytes);
    }
  });

  it('accepts exactly one last character per decoded value: spare bits must be zero', () => {
    // Lengths 2 and 3 mod 4: the last character carries 4 or 2 bits beyond the decoded bytes.
    for (const prefix of ['QQ', 'QUJ', 'QUJDRA', 'QUJDREU']) {
      const accepted = [...ALPHABET].filter((last) => {
        try {
          decodeBase64url(`${prefix.slice(0, -1)}${last}`, 'signature');
          return true;
        } catch {
          return false;
        }
      });
      const canonical = accepted.map((last) =>
        Buffer.from(`${prefix.slice(0, -1)}${last}`, 'base64url').toString('base64url'),
      );
      expect(canonical).toEqual(accepted.map((last) => `${prefix.slice(0, -1)}${last}`));
      expect(accepted).toHaveLength(prefix.length % 4 === 2 ? 4 : 16);
    }
  });

  it.each([
    ['padding', 'QQ=='],
    ['one padding character', 'QUI='],
    ['a plus (standard alphabet)', 'a+b/'],
    ['a slash (standard alphabet)', 'ab/c'],
    ['a tilde', 'QUJD~'],
    ['a space', 'QUJD RA'],
    ['a length of 1 mod 4', 'QUJDR'],
    ['spare bits set with 2 characters', 'QR'],
    ['spare bits set with 3 characters', 'QUK'],
    ['nothing at all', ''],
  ])('refuses %s as malformed_token', (_what, segment) => {
    expect(refusal(() => decodeBase64url(segment, 'signature'))).toMatchObject({
      reason: 'malformed_token',
      message: 'The token signature is not base64url',
    });
  });
});

describe('decodeUnverified', () => {
  const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
  const payload = Buffer.from('{"sub":"a"}').toString('base64url');

  it('leaves the signature to where it is used: the algorithm is judged first', () => {
    expect(decodeUnverified(`${header}.${payload}.c2lnbh`).header).toEqual({ alg: 'RS256' });
  });

  it('reads a canonical token', () => {
    expect(decodeUnverified(`${header}.${payload}.c2ln`)).toEqual({
      header: { alg: 'RS256' },
      payload: { sub: 'a' },
      headerSegment: header,
    });
  });

  it.each([
    ['header', `${header}=.${payload}.c2ln`],
    // eyJzdWIiOiJhIn0 ends in '0' (52): '1' (53) sets a spare bit, same bytes for Node.
    ['payload', `${header}.${payload.slice(0, -1)}1.c2ln`],
  ])('refuses a non-canonical %s', (what, token) => {
    expect(refusal(() => decodeUnverified(token))).toMatchObject({
      reason: 'malformed_token',
      message: `The token ${what} is not base64url`,
    });
  });
});

describe('KnownHeaders', () => {
  const header = Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url');
  const payload = Buffer.from('{"sub":"a"}').toString('base64url');

  it('serves a remembered header without decoding it again, frozen', () => {
    const known = new KnownHeaders();
    const first = decodeUnverified(`${header}.${payload}.c2ln`, known);
    expect(known.get(header)).toBeUndefined();
    known.remember(first.headerSegment, first.header);
    const second = decodeUnverified(`${header}.${payload}.c2ln`, known);
    expect(second.header).toBe(first.header);
    expect(Object.isFrozen(second.header)).toBe(true);
  });

  it('still decodes and checks the payload of a token with a known header', () => {
    const known = new KnownHeaders();
    const { header: decoded } = decodeUnverified(`${header}.${payload}.c2ln`, known);
    known.remember(header, decoded);
    expect(refusal(() => decodeUnverified(`${header}.e30=.c2ln`, known))).toMatchObject({
      reason: 'malformed_token',
    });
    expect(refusal(() => decodeUnverified(`${header}.${payload}`, known))).toMatchObject({
      reason: 'malformed_token',
    });
    expect(refusal(() => decodeUnverified(`${header}.${payload}.`, known))).toMatchObject({
      reason: 'malformed_token',
    });
  });

  it('is keyed by the exact text: another spelling of the same header is decoded (and refused)', () => {
    const known = new KnownHeaders();
    known.remember(header, { alg: 'RS256', kid: 'k1' });
    expect(refusal(() => decodeUnverified(`${header}=.${payload}.c2ln`, known))).toMatchObject({
      reason: 'malformed_token',
      message: 'The token header is not base64url',
    });
  });

  it('starts over when full, so that headers after a key rotation are remembered too', () => {
    const known = new KnownHeaders(2);
    known.remember('a', { alg: 'RS256' });
    known.remember('b', { alg: 'RS256' });
    known.remember('c', { alg: 'RS256' });
    expect([known.get('a'), known.get('b'), known.get('c')].map(Boolean)).toEqual([
      false,
      false,
      true,
    ]);
  });
});
