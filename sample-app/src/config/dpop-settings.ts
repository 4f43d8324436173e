import { randomBytes } from 'node:crypto';
import type { DPoPOptions } from '../../../lib/index.js';
import { SettingsError } from './auth-settings.js';

type Env = Readonly<Record<string, string | undefined>>;

function flag(env: Env, name: string): boolean {
  const value = env[name]?.trim();
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new SettingsError(name, `must be 1 or 0, got ${JSON.stringify(value)}`);
}

/**
 * `OIDC_DPOP=required|off` (default: allowed), `OIDC_DPOP_NONCE=1` (server nonces; replicas
 * share `OIDC_DPOP_NONCE_SECRET`, else each makes its own), `TRUST_PROXY=1` (`htu` from
 * `X-Forwarded-Proto`/`X-Forwarded-Host`). `REDIS_URL` (the shared store) holds the proofs seen.
 */
export function dpopSettingsFrom(env: Env): DPoPOptions {
  const mode = env.OIDC_DPOP?.trim() || 'allowed';
  if (mode !== 'allowed' && mode !== 'required' && mode !== 'off') {
    throw new SettingsError(
      'OIDC_DPOP',
      `must be required, off or allowed, got ${JSON.stringify(mode)}`,
    );
  }
  const secret = env.OIDC_DPOP_NONCE_SECRET?.trim();
  if (secret && Buffer.byteLength(secret) < 32) {
    throw new SettingsError('OIDC_DPOP_NONCE_SECRET', 'must be at least 32 bytes');
  }
  return {
    mode,
    trustProxy: flag(env, 'TRUST_PROXY'),
    ...(flag(env, 'OIDC_DPOP_NONCE') && { nonce: { secret: secret || randomBytes(32) } }),
  };
}
