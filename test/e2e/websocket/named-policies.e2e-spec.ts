import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import WebSocket from 'ws';
import { askGateway, openWebSocket } from '../../support/ws-client.js';
import { Issuers, OidcAuthModule, Policy } from '../../../lib/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';
import { refusalError } from '../../support/refusals.js';

interface Frame {
  event: string;
  data: unknown;
}

// @Issuers needs the partner's issuer URL, known only once its LocalIssuer listens.
function tenantGateway(partner: string) {
  @WebSocketGateway({ path: '/ws' })
  class TenantGateway {
    @Policy('sameTenant')
    @SubscribeMessage('tenant')
    tenant(@MessageBody() body: { tenant: string }) {
      return { event: 'tenant', data: body.tenant };
    }

    @Issuers(partner)
    @SubscribeMessage('partner')
    partner() {
      return { event: 'partner', data: true };
    }
  }
  return TenantGateway;
}

describe('named policies and @Issuers on WebSocket gateways', () => {
  const issuer = suiteIssuer();
  const partner = suiteIssuer();
  let app: INestApplication;
  let socket: WebSocket;

  beforeAll(async () => {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: trusted(issuer, partner),
          policies: {
            // A message's body is the call: the policy reads the tenant it addresses.
            sameTenant: (principal, context) =>
              context.switchToWs().getData<{ tenant?: string }>()?.tenant ===
              principal.claims.tenant,
          },
        }),
      ],
      providers: [tenantGateway(partner.issuer)],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new OidcWsAdapter(app));
    await app.listen(0, '127.0.0.1');
    const url = `${(await app.getUrl()).replace('http', 'ws')}/ws`;
    const token = await issuer.mint({ sub: 'bob', tenant: 'acme' });
    socket = await openWebSocket(url, token);
  });

  afterAll(async () => {
    socket.close();
    await app.close();
  });

  const ask = (event: string, data: unknown) => askGateway<Frame>(socket, event, data);

  it('answers a message its policy grants, and refuses one it denies without closing', async () => {
    expect(await ask('tenant', { tenant: 'acme' })).toEqual({ event: 'tenant', data: 'acme' });
    expect(await ask('tenant', { tenant: 'globex' })).toEqual({
      event: 'exception',
      data: refusalError(
        403,
        'insufficient_scope',
        'The policy sameTenant denied access to this resource',
      ),
    });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    expect(await ask('tenant', { tenant: 'acme' })).toEqual({ event: 'tenant', data: 'acme' });
  });

  it('refuses a handler restricted to another issuer as invalid_token', async () => {
    expect(await ask('partner', {})).toEqual({
      event: 'exception',
      data: refusalError(
        401,
        'invalid_token',
        'This resource does not accept tokens of the issuer that signed this one',
      ),
    });
  });
});
