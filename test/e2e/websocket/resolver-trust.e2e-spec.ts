import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import WebSocket from 'ws';
import { askGateway, openWebSocket } from '../../support/ws-client.js';
import { type IssuerOptions, OidcAuthModule, Principal } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';
import { suiteIssuer } from '../../support/suite-fixture.js';

const TTL_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function whoAmIGateway() {
  @WebSocketGateway({ path: '/ws' })
  class WhoAmIGateway {
    @SubscribeMessage('whoami')
    whoami(@Principal('issuer') issuer: string) {
      return { event: 'whoami', data: issuer };
    }
  }
  return WhoAmIGateway;
}

describe('WebSocket connections of issuers the issuerResolver approved', () => {
  const tenantA = suiteIssuer();
  const tenantB = suiteIssuer();
  let tenants: Map<string, IssuerOptions>;
  let asked: string[];
  let resolverDown: boolean;
  let app: INestApplication;
  let url: string;

  afterAll(async () => {});

  beforeEach(async () => {
    tenants = new Map([tenantA, tenantB].map((t) => [t.issuer, t.issuerOptions()]));
    asked = [];
    resolverDown = false;
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [],
          issuerResolver: (iss) => {
            asked.push(iss);
            if (resolverDown) throw new Error('tenant database down');
            return tenants.get(iss);
          },
          resolverCache: { ttlMs: TTL_MS },
          warmUp: false,
        }),
      ],
      providers: [whoAmIGateway()],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new OidcWsAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = `${(await app.getUrl()).replace('http', 'ws')}/ws`;
  });
  afterEach(() => app.close());

  const open = async (tenant: LocalIssuer) => openWebSocket(url, await tenant.mint());
  const ask = (socket: WebSocket) => askGateway(socket, 'whoami');

  const closed = (socket: WebSocket) =>
    new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code: number, reason: Buffer) =>
        resolve({ code, reason: reason.toString() }),
      ),
    );

  it('closes a removed tenant at its first message once the approval ran out, and keeps the others', async () => {
    const a = await open(tenantA);
    const b = await open(tenantB);
    expect(await ask(a)).toEqual({ event: 'whoami', data: tenantA.issuer });
    tenants.delete(tenantA.issuer);
    // Within the approval the resolver is not asked again, removed or not.
    expect(await ask(a)).toEqual({ event: 'whoami', data: tenantA.issuer });
    await sleep(TTL_MS + 50);
    const ending = closed(a);
    a.send(JSON.stringify({ event: 'whoami', data: {} }));
    expect(await ending).toEqual({ code: 1008, reason: 'The token issuer is no longer trusted' });
    // The tenant still trusted is approved again, once, and keeps its connection.
    expect(await ask(b)).toEqual({ event: 'whoami', data: tenantB.issuer });
    expect(await ask(b)).toEqual({ event: 'whoami', data: tenantB.issuer });
    expect(asked.filter((iss) => iss === tenantB.issuer)).toHaveLength(2);
    expect(b.readyState).toBe(WebSocket.OPEN);
    b.close();
  });

  it('refuses messages but keeps the connection while the resolver fails', async () => {
    const a = await open(tenantA);
    await sleep(TTL_MS + 50);
    resolverDown = true;
    const answer = new Promise<unknown>((resolve) =>
      a.once('message', (raw: Buffer) => resolve(JSON.parse(raw.toString()))),
    );
    a.send(JSON.stringify({ event: 'whoami', data: {} }));
    expect(await answer).toMatchObject({ event: 'exception', data: { statusCode: 503 } });
    expect(a.readyState).toBe(WebSocket.OPEN);
    resolverDown = false;
    // The failure is remembered for a second, then the resolver is asked again.
    await sleep(1_100);
    expect(await ask(a)).toEqual({ event: 'whoami', data: tenantA.issuer });
    a.close();
  });
});
