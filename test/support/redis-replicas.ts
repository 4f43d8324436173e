import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { LocalIssuer } from '../../lib/testing/index.js';
import { LocalRedis } from './redis-server.js';
import { initApp, type Platform, TEST_CONTROLLERS } from './test-app.js';

/**
 * An issuer and a throwaway Redis, with replicas of the test controllers (on Express unless told) that share that
 * Redis: the set-up of the suites about state kept across instances of one API.
 */
export class RedisReplicas {
  readonly apps: INestApplication[] = [];
  /** The replicas' connections, in the order the replicas were made. */
  readonly clients: Redis[] = [];

  private constructor(
    public redis: LocalRedis,
    readonly issuer: LocalIssuer,
  ) {}

  static async start(): Promise<RedisReplicas> {
    return new RedisReplicas(await LocalRedis.start(), await LocalIssuer.start());
  }

  /**
   * A new replica importing and providing what `metadata` gives for its Redis connection: its own
   * connection, as a separate process would have.
   */
  async replica(
    metadata: (client: Redis) => Pick<ModuleMetadata, 'imports' | 'providers'>,
    logger: LoggerService | false = false,
    platform: Platform = 'express',
  ): Promise<INestApplication> {
    const client = new Redis({ host: '127.0.0.1', port: this.redis.port, maxRetriesPerRequest: 1 });
    this.clients.push(client);
    const ref = await Test.createTestingModule({
      ...metadata(client),
      controllers: TEST_CONTROLLERS,
    }).compile();
    const app = await initApp(ref, platform, logger);
    this.apps.push(app);
    return app;
  }

  /** Stops Redis and starts an empty one on its port: the replicas reconnect by themselves. */
  async restartRedis(): Promise<void> {
    this.redis = await this.redis.restart();
  }

  async close(): Promise<void> {
    // A test that failed while Redis was paused would leave it unable to stop.
    this.redis.resume();
    await Promise.all(this.apps.map((app) => app.close()));
    // The stores leave a connection they were given to its owner.
    this.clients.forEach((client) => client.disconnect());
    await this.issuer.close();
    await this.redis.stop();
  }
}
