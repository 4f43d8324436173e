import { createHmac } from 'node:crypto';

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** Assembles a compact JWS from parts, for tokens no honest library would produce. */
export function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

/** The classic key-confusion attack: HMAC with the issuer's public key as the shared secret. */
export function hmacWithPublicKey(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const alg = String(header.alg).replace('HS', 'sha');
  return `${input}.${createHmac(alg, secret).update(input).digest('base64url')}`;
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}
