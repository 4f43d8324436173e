import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  OidcAuthEvents,
  OidcAuthModule,
  type SecurityEventReport,
  type SecurityEventTransmitterOptions,
  TokenClient,
} from '../../../lib/index.js';
import type { DevIdentityProvider } from '../../../sample-app/src/identity-provider/dev-identity-provider.js';
import { freePort } from '../../support/free-port.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { startDevIdp } from '../../support/sample-app.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

jest.setTimeout(30_000);

const PUSH_AUTHORIZATION = 'Bearer push-secret-0123456789';

/** Resolves once `check` holds, polling every 50 ms, for at most `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

/**
 * The module as an SSF receiver of a real transmitter (the sample's embedded provider, on
 * 127.0.0.1), configured by the transmitter's issuer only: keys and endpoints from its
 * `/.well-known/ssf-configuration`, the stream created at startup, poll or push delivery.
 */
describe.each(PLATFORMS)('SSF streams managed by the module (%s)', (platform) => {
  let idp: DevIdentityProvider;
  let receiver: string;
  let port: number;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    port = await freePort();
    receiver = `http://127.0.0.1:${port}`;
    idp = await startDevIdp({ ssfAudience: receiver });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await idp.close();
  });

  async function start(transmitter: Partial<SecurityEventTransmitterOptions>, push = false) {
    const logger = new RecordingLogger();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: idp.issuer, audience: 'api://notes' }],
          refusalLogIntervalMs: 0,
          revocation: {
            ...(push && { push: {} }),
            transmitters: [
              {
                issuer: idp.issuer,
                audience: receiver,
                authorization: {
                  tokenClient: new TokenClient({ issuer: idp.issuer, ...idp.introspectionClient }),
                  scopes: ['ssf'],
                  resource: idp.ssfResource,
                },
                ...transmitter,
              },
            ],
          },
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    const app = await initApp(ref, platform, logger);
    apps.push(app);
    await app.listen(push ? port : 0, '127.0.0.1');
    return { app, logger };
  }

  async function serviceToken(): Promise<string> {
    return new TokenClient({ tokenEndpoint: idp.tokenEndpoint, ...idp.serviceClient }).getAppToken({
      scopes: ['notes:read'],
    });
  }

  const me = async (app: INestApplication, token: string) => {
    const res = await fetch(`${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return res.status;
  };

  it('creates a poll stream, has it verified, and refuses a token once its subject is revoked', async () => {
    const { app, logger } = await start({ stream: { delivery: 'poll' }, poll: { waitSeconds: 2 } });
    const streams = idp.ssf.allStreams.filter((s) => s.method === 'urn:ietf:rfc:8936');
    expect(streams).toHaveLength(1);
    expect(await eventually(() => logger.messages().some((m) => m.includes('is verified')))).toBe(
      true,
    );
    expect(logger.messages()).toContain(
      `Created the SSF stream ${streams[0].id} of ${idp.issuer} (poll delivery)`,
    );
    const reported: SecurityEventReport[] = [];
    app.get(OidcAuthEvents).securityEvents$.subscribe((e) => reported.push(e));
    const token = await serviceToken();
    expect(await me(app, token)).toBe(200);
    await idp.revokeSession(idp.serviceClient.clientId);
    expect(await eventually(async () => (await me(app, token)) === 401)).toBe(true);
    // Polled SETs are reported as pushed ones are.
    expect(reported).toContainEqual(
      expect.objectContaining({ outcome: 'applied', transmitter: idp.issuer }),
    );

    // Paused at the transmitter: the receiver hears it (stream-updated) and says so.
    await idp.ssf.setStatus(streams[0].id, 'paused', 'maintenance');
    expect(
      await eventually(() =>
        logger.lines.some((l) => l.startsWith('warn') && l.includes('is paused (maintenance)')),
      ),
    ).toBe(true);
    await idp.ssf.setStatus(streams[0].id, 'enabled');
    expect(await eventually(() => logger.messages().some((m) => m.endsWith('is enabled')))).toBe(
      true,
    );
    await app.close();
    apps.pop();
    expect(idp.ssf.refused).toEqual([]);
  });

  it('finds its stream again at the next start, and updates it to push', async () => {
    const before = idp.ssf.allStreams.length;
    const { app, logger } = await start(
      {
        pushAuthorization: PUSH_AUTHORIZATION,
        stream: { delivery: 'push', pushEndpoint: `${receiver}/ssf/events` },
      },
      true,
    );
    expect(idp.ssf.allStreams).toHaveLength(before);
    const stream = idp.ssf.allStreams.at(-1)!;
    expect(stream).toMatchObject({
      method: 'urn:ietf:rfc:8935',
      endpointUrl: `${receiver}/ssf/events`,
      authorizationHeader: PUSH_AUTHORIZATION,
    });
    expect(logger.messages().some((m) => m.startsWith(`Found the SSF stream ${stream.id}`))).toBe(
      true,
    );
    expect(await eventually(() => logger.messages().some((m) => m.includes('is verified')))).toBe(
      true,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const token = await serviceToken();
    expect(await me(app, token)).toBe(200);
    await idp.disableAccount(idp.serviceClient.clientId);
    expect(await eventually(async () => (await me(app, token)) === 401)).toBe(true);
    await idp.enableAccount(idp.serviceClient.clientId);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await eventually(async () => (await me(app, await serviceToken())) === 200)).toBe(true);
    expect(idp.ssf.refused).toEqual([]);
  });

  it.each<[string, (issuer: string) => Record<string, unknown>, string]>([
    [
      'names another issuer',
      () => ({ issuer: 'https://evil.example', jwks_uri: 'https://evil.example/jwks' }),
      'names the issuer "https://evil.example"',
    ],
    [
      'offers push only',
      (issuer) => ({
        issuer,
        jwks_uri: `${issuer}/jwks`,
        configuration_endpoint: `${issuer}/streams`,
        delivery_methods_supported: ['urn:ietf:rfc:8935'],
      }),
      'does not offer urn:ietf:rfc:8936 delivery',
    ],
    [
      'has no stream management',
      (issuer) => ({ issuer, jwks_uri: `${issuer}/jwks` }),
      'has no configuration_endpoint',
    ],
  ])(
    'does not set up a stream at a transmitter whose SSF configuration %s',
    async (_, doc, why) => {
      const server = createServer((req, res) => {
        const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        if (req.url !== '/.well-known/ssf-configuration') return res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc(issuer)));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const { logger } = await start({ issuer, stream: { delivery: 'poll' } });
        const prefix = `warn The SSF stream of ${issuer} could not be set up (`;
        expect(logger.lines.some((l) => l.startsWith(prefix) && l.includes(why))).toBe(true);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it('starts while the transmitter cannot be reached, and says so', async () => {
    const { logger } = await start({
      issuer: 'http://127.0.0.1:9/nobody',
      stream: { delivery: 'poll' },
    });
    expect(
      logger.messages().some((m) => m.includes('could not be set up') && m.includes('retrying')),
    ).toBe(true);
  });
});
