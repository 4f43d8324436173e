/**
 * One replica of an API for `bench:revocation-lag`, in its own process as in production:
 * `node replica-server.js <platform> <port> <issuer> <audience> <redis port> <transmitter issuer>`.
 * Its revocation list is shared through the Redis store; it receives pushed SETs of the
 * transmitter (`Authorization: <BENCH_PUSH_AUTHORIZATION>`). Prints "ready" when listening.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { OidcAuthModule } from '../lib/index.js';
import { RedisStore } from '../lib/redis/index.js';
import type { Platform } from './scenarios.js';

export const BENCH_RECEIVER = 'https://bench.example/ssf';
export const BENCH_PUSH_AUTHORIZATION = 'Bearer bench-push-secret-0123456789';

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

async function main() {
  const [platform, port, issuer, audience, redisPort, transmitter] = process.argv.slice(2) as [
    Platform,
    string,
    string,
    string,
    string,
    string,
  ];
  const client = new Redis({ host: '127.0.0.1', port: Number(redisPort) });
  @Module({
    imports: [
      OidcAuthModule.forRoot({
        issuers: [{ issuer, audience }],
        store: new RedisStore(client),
        revocation: {
          push: {},
          transmitters: [
            {
              issuer: transmitter,
              jwksUri: `${transmitter}/jwks`,
              audience: BENCH_RECEIVER,
              pushAuthorization: BENCH_PUSH_AUTHORIZATION,
              tokenIssuers: [issuer],
            },
          ],
        },
      }),
    ],
    controllers: [HelloController],
  })
  class ReplicaModule {}
  const app =
    platform === 'fastify'
      ? await NestFactory.create(ReplicaModule, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(ReplicaModule, { logger: ['error'] });
  await app.listen(Number(port), '127.0.0.1');
  process.once('SIGTERM', () => {
    void app.close().then(() => {
      client.disconnect();
      process.exit(0);
    });
  });
  process.stdout.write('ready\n');
}

if (process.argv[1]?.endsWith('replica-server.js')) void main();
