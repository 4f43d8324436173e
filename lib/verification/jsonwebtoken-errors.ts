import { InvalidTokenError } from '../protocol/errors.js';

/**
 * Translates what jsonwebtoken reports (through passport-jwt) into the module's errors. Its messages
 * are fixed strings; anything unrecognised is a signature failure, the safe reading.
 */
export function fromJsonWebTokenError(err: unknown): InvalidTokenError {
  const name = (err as { name?: string })?.name;
  const message = (err as { message?: string })?.message ?? '';
  if (name === 'TokenExpiredError') {
    const expiredAt = (err as { expiredAt?: Date }).expiredAt;
    return new InvalidTokenError(
      'token_expired',
      expiredAt ? `The token expired at ${expiredAt.toISOString()}` : 'The token expired',
    );
  }
  if (name === 'NotBeforeError')
    return new InvalidTokenError('token_not_yet_valid', 'The token is not valid yet');
  if (
    message === 'jwt malformed' ||
    message === 'invalid token' ||
    message.startsWith('jwt signature is required')
  ) {
    return new InvalidTokenError('malformed_token', 'The token is malformed');
  }
  if (message.startsWith('invalid ') && message.endsWith(' value')) {
    return new InvalidTokenError('claim_invalid', `The token has an ${message}`);
  }
  if (message === 'invalid algorithm') {
    return new InvalidTokenError('algorithm_not_allowed', 'The token algorithm is not accepted');
  }
  return new InvalidTokenError('signature_invalid', 'The token signature is invalid');
}
