import { Controller } from '@nestjs/common';
import {
  type ClientProxy,
  ClientProxyFactory,
  EventPattern,
  MessagePattern,
  Payload,
  Transport,
} from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { AccessToken, Principal, Public, Roles, Scopes } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { tcpService } from '../../support/tcp-service.js';
import { trusted } from '../../support/trusted.js';
import { refusalError } from '../../support/refusals.js';

const HOST = '127.0.0.1';

@Controller()
class NotesHandlers {
  readonly audited: unknown[] = [];

  @Scopes('notes:read')
  @MessagePattern('notes.list')
  list(@Principal('subject') subject: string, @AccessToken() token: string) {
    return { notes: [{ id: 1, text: 'first' }], reader: subject, tokenLength: token.length };
  }

  @Roles('admin')
  @MessagePattern('notes.purge')
  purge() {
    return { purged: true };
  }

  @Public()
  @MessagePattern('ping')
  ping(@Payload() data: { n: number }) {
    return { pong: data.n };
  }

  @Scopes('notes:write')
  @EventPattern('notes.audit')
  audit(@Payload() data: unknown) {
    this.audited.push(data);
  }
}

@Scopes('reports:read')
@Controller()
class ReportHandlers {
  @Scopes('reports:export')
  @MessagePattern('reports.export')
  export() {
    return 'export';
  }
}

/** What the client sees when the call is refused: the RpcException's error object. */
async function send(client: ClientProxy, pattern: string, data: object): Promise<unknown> {
  return firstValueFrom(client.send(pattern, data)).catch((err: unknown) => ({ refused: err }));
}

describe('microservices over TCP', () => {
  const issuer = suiteIssuer();
  const logger = new RecordingLogger();
  const tcp = suiteFixture(
    () =>
      tcpService(
        {
          issuers: trusted(issuer),
          // Each test looks for its own refusal's line.
          refusalLogIntervalMs: 0,
        },
        [NotesHandlers, ReportHandlers],
        logger,
      ),
    (t) => t.close(),
  );

  const bearer = async (who: Parameters<LocalIssuer['mintToken']>[0] = {}) =>
    `Bearer ${await issuer.mintToken(who)}`;

  it('answers a message whose token has the scope, with the principal and the token', async () => {
    const authorization = await bearer({ sub: 'alice', scopes: ['notes:read'] });
    expect(await send(tcp.client, 'notes.list', { authorization })).toEqual({
      notes: [{ id: 1, text: 'first' }],
      reader: 'alice',
      tokenLength: authorization.length - 'Bearer '.length,
    });
  });

  it('refuses a message without a token with an error the client can tell apart', async () => {
    expect(await send(tcp.client, 'notes.list', {})).toEqual({
      refused: refusalError(401, 'unauthorized', 'This resource requires a bearer token'),
    });
  });

  it('refuses malformed authorization with 400 invalid_request', async () => {
    const token = await issuer.mintToken({ scopes: ['notes:read'] });
    for (const authorization of [42, `Bearer ${token} ${token}`, 'Bearer', ['a', 'b']]) {
      expect(await send(tcp.client, 'notes.list', { authorization })).toMatchObject({
        refused: { statusCode: 400, error: 'invalid_request' },
      });
    }
  });

  it('refuses expired, foreign and unsigned tokens with 401 invalid_token', async () => {
    const tokens = [
      await issuer.mintToken({ scopes: ['notes:read'] }, { expiresIn: -3600 }),
      await issuer.mint({ aud: 'api://elsewhere', scope: 'notes:read' }),
      await issuer.mint({ iss: 'https://attacker.example', scope: 'notes:read' }),
    ];
    for (const token of tokens) {
      expect(
        await send(tcp.client, 'notes.list', { authorization: `Bearer ${token}` }),
      ).toMatchObject({
        refused: { status: 'error', statusCode: 401, error: 'invalid_token' },
      });
    }
  });

  it('refuses a token longer than 16 KiB with 401 invalid_token, without reading it', async () => {
    const token = await issuer.mintToken({ scopes: ['notes:read'] });
    const padded = `${token}${'A'.repeat(16 * 1024)}`;
    expect(await send(tcp.client, 'notes.list', { authorization: `Bearer ${padded}` })).toEqual({
      refused: refusalError(
        401,
        'invalid_token',
        'The access token is longer than 16384 characters',
      ),
    });
  });

  it('refuses a missing scope or role with 403 insufficient_scope', async () => {
    const authorization = await bearer({ scopes: ['notes:write'] });
    expect(await send(tcp.client, 'notes.list', { authorization })).toEqual({
      refused: refusalError(
        403,
        'insufficient_scope',
        'This resource requires the scope notes:read',
      ),
    });
    expect(await send(tcp.client, 'notes.purge', { authorization })).toMatchObject({
      refused: { statusCode: 403, message: 'This resource requires the role admin' },
    });
    expect(
      await send(tcp.client, 'notes.purge', { authorization: await bearer({ roles: ['admin'] }) }),
    ).toEqual({ purged: true });
  });

  it('applies the class policy and the handler policy together', async () => {
    const exporter = await bearer({ scopes: ['reports:export'] });
    expect(await send(tcp.client, 'reports.export', { authorization: exporter })).toMatchObject({
      refused: { statusCode: 403 },
    });
    const both = await bearer({ scopes: ['reports:read', 'reports:export'] });
    expect(await send(tcp.client, 'reports.export', { authorization: both })).toBe('export');
  });

  it('lets a @Public() handler answer without a token', async () => {
    expect(await send(tcp.client, 'ping', { n: 7 })).toEqual({ pong: 7 });
  });

  it('reads the token from packet metadata set by the client dispatch hook', async () => {
    const authorization = await bearer({ sub: 'bob', scopes: ['notes:read'] });
    const withMetadata = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: HOST, port: tcp.port },
    });
    withMetadata.setOnDispatchHook((packet) => {
      (packet as { metadata?: unknown }).metadata = { authorization };
    });
    try {
      expect(await send(withMetadata, 'notes.list', {})).toMatchObject({ reader: 'bob' });
    } finally {
      withMetadata.close();
    }
  });

  it('does not run an event handler for an unauthenticated event, and logs the refusal', async () => {
    const handlers = tcp.service.get(NotesHandlers);
    await firstValueFrom(tcp.client.emit('notes.audit', { what: 'anonymous' }));
    const authorization = await bearer({ sub: 'carol', scopes: ['notes:write'] });
    await firstValueFrom(tcp.client.emit('notes.audit', { what: 'signed', authorization }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(handlers.audited).toEqual([{ what: 'signed', authorization }]);
    expect(logger.lines).toContain('warn Refused rpc notes.audit with 401: missing_token');
  });
});
