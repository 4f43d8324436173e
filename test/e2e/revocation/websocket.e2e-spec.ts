import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import WebSocket from 'ws';
import { askGateway, openWebSocket } from '../../support/ws-client.js';
import { OidcAuthModule, OidcRevocations, Principal } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';

@WebSocketGateway({ path: '/ws' })
class WhoAmIGateway {
  @SubscribeMessage('whoami')
  whoami(@Principal('subject') subject: string) {
    return { event: 'whoami', data: subject };
  }
}

describe('open WebSocket connections of revoked tokens', () => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
          revocation: {},
        }),
      ],
      providers: [WhoAmIGateway],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new OidcWsAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = `${(await app.getUrl()).replace('http', 'ws')}/ws`;
  });

  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  const open = (token: string) => openWebSocket(url, token);
  const ask = (socket: WebSocket) => askGateway(socket, 'whoami');

  it('closes the connection of a revoked session without waiting for its next message, keeps the others, and refuses a new handshake with the token', async () => {
    const iat = Math.floor(Date.now() / 1000) - 10;
    const revokedToken = await issuer.mint({ sub: 'bob', sid: 's1', iat });
    const bob = await open(revokedToken);
    const alice = await open(await issuer.mint({ sub: 'alice', sid: 's2', iat }));
    expect(await ask(bob)).toEqual({ event: 'whoami', data: 'bob' });

    const ending = new Promise<{ code: number; reason: string }>((resolve) =>
      bob.once('close', (code: number, reason: Buffer) =>
        resolve({ code, reason: reason.toString() }),
      ),
    );
    await app.get(OidcRevocations).revokeSession(issuer.issuer, 's1');
    expect(await ending).toEqual({ code: 1008, reason: 'The token was revoked (session-revoked)' });

    expect(await ask(alice)).toEqual({ event: 'whoami', data: 'alice' });
    expect(alice.readyState).toBe(WebSocket.OPEN);
    alice.close();

    await expect(open(revokedToken)).rejects.toThrow('401');
  });
});
