/**
 * An `OidcStore` in Redis, shared by the replicas of an application.
 *
 * @module nest-oidc-auth/redis
 */
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
