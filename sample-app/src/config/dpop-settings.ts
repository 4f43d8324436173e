import { randomBytes } from 'node:crypto';
import type { OidcAuthModuleOptions, OidcStore } from '../../../lib/index.js';
import { SettingsError } from './auth-settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The sample's DPoP settings: module options, and what to close at shutdown. */
export interface DPoPSettings {
  options: Pick<OidcAuthModuleOptions, 'dpop' | 'store'>;
  close(): Promise<void>;
}

function flag(env: Env, name: string): boolean {
  const value = env[name]?.trim();
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new SettingsError(name, `must be 1 or 0, got ${JSON.stringify(value)}`);
}

/**
 * `OIDC_DPOP=required|off` (default: allowed), `OIDC_DPOP_NONCE=1` (server nonces; replicas
 * share `OIDC_DPOP_NONCE_SECRET`, else each makes its own), `TRUST_PROXY=1` (`htu` from
 * `X-Forwarded-Proto`/`X-Forwarded-Host`), `REDIS_URL` (the replay store in Redis).
 */
export async function dpopSettingsFrom(env: Env): Promise<DPoPSettings> {
  const mode = env.OIDC_DPOP?.trim() || 'allowed';
  if (mode !== 'allowed' && mode !== 'required' && mode !== 'off') {
    throw new SettingsError(
      'OIDC_DPOP',
      `must be required, off or allowed, got ${JSON.stringify(mode)}`,
    );
  }
  const secret = env.OIDC_DPOP_NONCE_SECRET?.trim();
  if (secret !== undefined && secret !== '' && Buffer.byteLength(secret) < 32) {
    throw new SettingsError('OIDC_DPOP_NONCE_SECRET', 'must be at least 32 bytes');
  }
  const dpop: NonNullable<OidcAuthModuleOptions['dpop']> = {
    mode,
    trustProxy: flag(env, 'TRUST_PROXY'),
    ...(flag(env, 'OIDC_DPOP_NONCE') && { nonce: { secret: secret || randomBytes(32) } }),
  };
  const redisUrl = env.REDIS_URL?.trim();
  if (!redisUrl) return { options: { dpop }, close: async () => undefined };
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new SettingsError('REDIS_URL', `must be a redis:// or rediss:// URL`);
  }
  // Loaded only when asked for: ioredis is an optional peer of the module.
  const [{ Redis }, { RedisStore }] = await Promise.all([
    import('ioredis'),
    import('../../../lib/redis/index.js'),
  ]);
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
  const store: OidcStore = new RedisStore(client, { prefix: 'notes:' });
  return {
    options: { dpop, store },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
