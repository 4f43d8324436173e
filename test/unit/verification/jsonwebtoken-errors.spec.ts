import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { fromJsonWebTokenError } from '../../../lib/verification/jsonwebtoken-errors.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;

function errorOf(token: string, key = publicKey): unknown {
  try {
    jwt.verify(token, key, { algorithms: ['RS256'] });
  } catch (err) {
    return err;
  }
  throw new Error('verified unexpectedly');
}

const sign = (payload: object) => jwt.sign(payload, privateKey, { algorithm: 'RS256' });
// jsonwebtoken refuses to sign a string exp, so that token is signed by hand.
const withStringExp = () => {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ exp: 'soon' })}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
};

describe('fromJsonWebTokenError', () => {
  it('maps what jsonwebtoken reports to reasons', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(fromJsonWebTokenError(errorOf(sign({ exp: now - 10 }))).reason).toBe('token_expired');
    expect(fromJsonWebTokenError(errorOf(sign({ exp: now - 10 }))).message).toMatch(
      /^The token expired at \d{4}-/,
    );
    expect(fromJsonWebTokenError(errorOf(sign({ nbf: now + 100 }))).reason).toBe(
      'token_not_yet_valid',
    );
    expect(fromJsonWebTokenError(errorOf(sign({ sub: 'x' }), other)).reason).toBe(
      'signature_invalid',
    );
    expect(fromJsonWebTokenError(errorOf('abc')).reason).toBe('malformed_token');
    expect(fromJsonWebTokenError(errorOf(withStringExp())).reason).toBe('claim_invalid');
  });

  it('reads anything it does not recognise as a signature failure', () => {
    expect(fromJsonWebTokenError(new Error('something new')).reason).toBe('signature_invalid');
    expect(fromJsonWebTokenError(undefined).reason).toBe('signature_invalid');
  });
});
