import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { InvalidTokenError } from '../../../lib/protocol/errors.js';
import { fromJsonWebTokenError } from '../../../lib/verification/jsonwebtoken-errors.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPublicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const NOW = Math.floor(Date.now() / 1000);

/** What jsonwebtoken throws for `token`; fails the test if it verifies. */
function thrownBy(
  token: string,
  key: KeyObject = publicKey,
  options: jwt.VerifyOptions = { algorithms: ['RS256'] },
): Error {
  try {
    jwt.verify(token, key, options);
  } catch (err) {
    return err as Error;
  }
  throw new Error('the token verified unexpectedly');
}

const signed = (payload: object) => jwt.sign(payload, privateKey, { algorithm: 'RS256' });

/** jsonwebtoken refuses to sign some payloads (a string exp): signed by hand. */
function signedByHand(header: object, payload: object): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

function mapped(err: unknown): InvalidTokenError {
  const result = fromJsonWebTokenError(err);
  expect(result).toBeInstanceOf(InvalidTokenError);
  return result;
}

describe('fromJsonWebTokenError with what jsonwebtoken really throws', () => {
  it('maps an expired token to token_expired, naming when it expired', () => {
    const raw = thrownBy(signed({ sub: 'alice', exp: NOW - 120 }));
    expect(raw.name).toBe('TokenExpiredError');
    const err = mapped(raw);
    expect(err.reason).toBe('token_expired');
    expect(err.message).toBe(`The token expired at ${new Date((NOW - 120) * 1000).toISOString()}`);
  });

  it('maps maxAge exceeded to token_expired as well', () => {
    const raw = thrownBy(signed({ sub: 'alice', iat: NOW - 3600 }), publicKey, {
      algorithms: ['RS256'],
      maxAge: 60,
    });
    expect(raw.message).toBe('maxAge exceeded');
    expect(mapped(raw).reason).toBe('token_expired');
  });

  it('maps a token used before nbf to token_not_yet_valid', () => {
    const raw = thrownBy(signed({ sub: 'alice', nbf: NOW + 600 }));
    expect(raw.name).toBe('NotBeforeError');
    expect(mapped(raw)).toMatchObject({
      reason: 'token_not_yet_valid',
      message: 'The token is not valid yet',
    });
  });

  it('maps a signature by another key to signature_invalid', () => {
    const raw = thrownBy(signed({ sub: 'alice' }), otherPublicKey);
    expect(raw.message).toBe('invalid signature');
    expect(mapped(raw)).toMatchObject({
      reason: 'signature_invalid',
      message: 'The token signature is invalid',
    });
  });

  it('maps a tampered payload to signature_invalid', () => {
    const [h, , s] = signed({ sub: 'alice' }).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url');
    expect(mapped(thrownBy(`${h}.${forged}.${s}`)).reason).toBe('signature_invalid');
  });

  it.each([
    ['not a JWT', 'abc', 'jwt malformed'],
    ['two segments', 'abc.def', 'jwt malformed'],
    ['segments that are not JSON', 'abc.def.ghi', 'invalid token'],
  ])('maps %s to malformed_token', (_what, token, jsonwebtokenMessage) => {
    const raw = thrownBy(token);
    expect(raw.message).toBe(jsonwebtokenMessage);
    expect(mapped(raw)).toMatchObject({
      reason: 'malformed_token',
      message: 'The token is malformed',
    });
  });

  it('maps a token without signature to malformed_token', () => {
    const [h, p] = signed({ sub: 'alice' }).split('.');
    const raw = thrownBy(`${h}.${p}.`);
    expect(raw.message).toBe('jwt signature is required');
    expect(mapped(raw).reason).toBe('malformed_token');
  });

  it.each(['exp', 'nbf'])('maps a non-numeric %s to claim_invalid', (claim) => {
    const raw = thrownBy(signedByHand({ alg: 'RS256', typ: 'JWT' }, { sub: 'a', [claim]: 'soon' }));
    expect(raw.message).toBe(`invalid ${claim} value`);
    expect(mapped(raw)).toMatchObject({
      reason: 'claim_invalid',
      message: `The token has an invalid ${claim} value`,
    });
  });

  it('maps an algorithm outside the allow-list to algorithm_not_allowed', () => {
    const raw = thrownBy(signed({ sub: 'alice' }), publicKey, { algorithms: ['ES256'] });
    expect(raw.message).toBe('invalid algorithm');
    expect(mapped(raw)).toMatchObject({
      reason: 'algorithm_not_allowed',
      message: 'The token algorithm is not accepted',
    });
  });

  it('reads key-type complaints (HS256 against a public key) as signature failures', () => {
    const hs = jwt.sign({ sub: 'alice' }, 'x'.repeat(32), { algorithm: 'HS256' });
    const raw = thrownBy(hs, publicKey, { algorithms: ['HS256'] });
    expect(raw.message).toBe('secretOrPublicKey must be a symmetric key when using HS256');
    expect(mapped(raw).reason).toBe('signature_invalid');
  });

  it('reads a curve mismatch jsonwebtoken reports as a signature failure', () => {
    const es = jwt.sign({ sub: 'alice' }, p384.privateKey, { algorithm: 'ES384' });
    const [, p, s] = es.split('.');
    const relabelled = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT' })).toString('base64url')}.${p}.${s}`;
    const raw = thrownBy(relabelled, p384.publicKey, { algorithms: ['ES256'] });
    expect(raw.message).toMatch(/requires curve/);
    expect(mapped(raw).reason).toBe('signature_invalid');
  });

  it('reads anything it does not recognise as a signature failure, the safe reading', () => {
    expect(mapped(new Error('something new')).reason).toBe('signature_invalid');
    expect(mapped(undefined).reason).toBe('signature_invalid');
    expect(mapped('a string').reason).toBe('signature_invalid');
    expect(mapped({ name: 'TokenExpiredError' })).toMatchObject({
      reason: 'token_expired',
      message: 'The token expired',
    });
  });
});
