import fc from 'fast-check';
import {
  decodeBase64url,
  decodeUnverified,
  KnownHeaders,
} from '../../../../lib/core/jose/jwt-parts.js';

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

describe('decodeBase64url against a plain reading of RFC 7515 §2 (property)', () => {
  // The oracle: the alphabet by a regular expression, the spare bits by re-encoding.
  const canonical = (segment: string) =>
    /^[A-Za-z0-9_-]+$/.test(segment) &&
    segment.length % 4 !== 1 &&
    Buffer.from(segment, 'base64url').toString('base64url') === segment;
  const strays = [
    '+',
    '/',
    '=',
    ' ',
    '\n',
    '\t',
    '.',
    '~',
    '%',
    '\u00e9',
    '\u0100',
    '\ud83d',
    '\u0000',
  ];
  const segments = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    fc
      .tuple(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.constantFrom(...strays),
        fc.boolean(),
      )
      .map(([bytes, at, stray, replace]) => {
        const text = Buffer.from(bytes).toString('base64url');
        const i = at % (text.length + 1);
        return text.slice(0, i) + stray + text.slice(replace ? i + 1 : i);
      }),
    fc.string({ maxLength: 40 }),
  );

  it('accepts exactly the canonical segments, and decodes them as Buffer does', () => {
    fc.assert(
      fc.property(segments, (segment) => {
        let decoded: Buffer | undefined;
        try {
          decoded = decodeBase64url(segment, 'payload');
        } catch {
          decoded = undefined;
        }
        expect(decoded !== undefined).toBe(canonical(segment));
        if (decoded) expect(decoded.equals(Buffer.from(segment, 'base64url'))).toBe(true);
      }),
      { seed: 20_261_125, numRuns: 20_000 },
    );
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
      signatureDot: header.length + payload.length + 1,
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
