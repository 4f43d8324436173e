import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import {
  type OidcAuthModuleOptions,
  OidcAuthModule,
  OidcRevocations,
  Principal,
} from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis/index.js';
import { OidcIoAdapter } from '../../../lib/socket-io/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';
import { gatewayAppOf } from '../../support/gateway-app.js';
import { graphqlApp } from '../../support/graphql-app.js';
import { gatewayApp } from '../../support/notes-gateway.js';
import { LocalRedis } from '../../support/redis-server.js';
import { askGateway, openWebSocket } from '../../support/ws-client.js';

@WebSocketGateway({ path: '/ws' })
class WhoAmIGateway {
  @SubscribeMessage('whoami')
  whoami(@Principal('subject') subject: string) {
    return { event: 'whoami', data: subject };
  }
}

interface Closed {
  code: number;
  reason: string;
  afterMs: number;
}

/**
 * Open connections on one replica, the revocation made on another: each connection of a revoked
 * user is closed within a second, with no message from its client, by its transport's own code.
 */
describe('open connections of a token revoked on another replica', () => {
  let issuer: LocalIssuer;
  let redis: LocalRedis;
  const clients: Redis[] = [];
  const apps: INestApplication[] = [];
  let revoker: INestApplication;

  const options = (): OidcAuthModuleOptions => {
    const client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 });
    clients.push(client);
    return {
      issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
      store: new RedisStore(client, { timeoutMs: 200 }),
      warmUp: false,
      revocation: { replicas: { resyncIntervalSeconds: 0.5, maxStalenessSeconds: 5 } },
    };
  };

  beforeAll(async () => {
    [issuer, redis] = await Promise.all([LocalIssuer.start(), LocalRedis.start()]);
    const ref = await Test.createTestingModule({
      imports: [OidcAuthModule.forRoot(options())],
    }).compile();
    revoker = ref.createNestApplication({ logger: false });
    await revoker.init();
    apps.push(revoker);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    clients.forEach((client) => client.disconnect());
    await issuer.stop();
    await redis.stop();
  });

  const token = (sub: string) => issuer.mint({ sub, iat: Math.floor(Date.now() / 1000) - 10 });

  /** Revokes `sub` on the other replica; resolves once it is in Redis, with the time it was. */
  async function revoke(sub: string): Promise<number> {
    await revoker.get(OidcRevocations).revokeSubject(issuer.issuer, sub);
    return Date.now();
  }

  it('closes a WebSocket (ws) with 1008 and leaves the other users connected', async () => {
    const { app, url } = await gatewayAppOf(
      options(),
      [WhoAmIGateway],
      (a) => new OidcWsAdapter(a),
    );
    apps.push(app);
    const wsUrl = `${url.replace('http', 'ws')}/ws`;
    const bob = await openWebSocket(wsUrl, await token('ws-bob'));
    const alice = await openWebSocket(wsUrl, await token('ws-alice'));
    expect(await askGateway(bob, 'whoami')).toEqual({ event: 'whoami', data: 'ws-bob' });
    const closed = new Promise<Omit<Closed, 'afterMs'>>((resolve) =>
      bob.once('close', (code: number, reason: Buffer) =>
        resolve({ code, reason: reason.toString() }),
      ),
    );
    const revokedAt = await revoke('ws-bob');
    const { code, reason } = await closed;
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect({ code, reason }).toEqual({
      code: 1008,
      reason: 'The token was revoked (subject-revoked)',
    });
    expect(await askGateway(alice, 'whoami')).toEqual({ event: 'whoami', data: 'ws-alice' });
    alice.close();
  });

  it('tells a socket.io client why and disconnects it', async () => {
    const { app, url } = await gatewayApp(options(), (a) => new OidcIoAdapter(a));
    apps.push(app);
    const socket: Socket = io(url, {
      path: '/ws',
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token: await token('io-bob') },
    });
    await new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', reject);
    });
    const exception = new Promise((resolve) => socket.once('exception', resolve));
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    const revokedAt = await revoke('io-bob');
    expect(await disconnected).toBe('io server disconnect');
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(await exception).toEqual({
      status: 'error',
      error: 'invalid_token',
      message: 'The token was revoked (subject-revoked)',
    });
  });

  it('closes a graphql-ws subscription connection with 4401', async () => {
    const app = await graphqlApp(options());
    apps.push(app);
    const url = `${(await app.getUrl()).replace('http', 'ws')}/graphql`;
    let onClosed: (closed: Omit<Closed, 'afterMs'>) => void = () => undefined;
    const closed = new Promise<Omit<Closed, 'afterMs'>>((resolve) => (onClosed = resolve));
    let onConnected: () => void = () => undefined;
    const connected = new Promise<void>((resolve) => (onConnected = resolve));
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { authorization: `Bearer ${await token('gql-bob')}` },
      on: {
        connected: () => onConnected(),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          onClosed({ code, reason: String(reason) });
        },
      },
      onNonLazyError: () => undefined,
    });
    try {
      await connected;
      const revokedAt = await revoke('gql-bob');
      expect(await closed).toEqual({
        code: 4401,
        reason: 'The token was revoked (subject-revoked)',
      });
      expect(Date.now() - revokedAt).toBeLessThan(1000);
    } finally {
      await client.dispose();
    }
  });
});
