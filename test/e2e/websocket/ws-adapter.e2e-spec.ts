import { type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { type OidcAuthModuleOptions } from '../../../lib/index.js';
import type { LocalIssuer } from '../../../lib/testing/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';
import { gatewayApp, NotesGateway } from '../../support/notes-gateway.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { DEFAULT_DPOP_CHALLENGE, refusalError } from '../../support/refusals.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

interface Frame {
  event: string;
  data: unknown;
}

/** Opens a socket; resolves once open, or with the HTTP answer that refused the upgrade. */
function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ socket?: WebSocket; refused?: IncomingMessage; body?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ refused: res, body }));
    });
    socket.once('error', reject);
  });
}

function nextFrame(socket: WebSocket): Promise<Frame> {
  return new Promise((resolve) =>
    socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Frame)),
  );
}

async function ask(socket: WebSocket, event: string, data: unknown = {}): Promise<Frame> {
  const answer = nextFrame(socket);
  socket.send(JSON.stringify({ event, data }));
  return answer;
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once('close', (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    ),
  );
}

describe('WebSocket gateways on the ws adapter', () => {
  const issuer = suiteIssuer();
  let app: INestApplication;
  let url: string;
  let logger: RecordingLogger;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** A socket opened with a bearer token `issuer.mintToken(...mint)` made. */
  const openAs = async (...mint: Parameters<LocalIssuer['mintToken']>) =>
    (await connect(url, bearer(await issuer.mintToken(...mint)))).socket;

  async function start(
    options: Partial<OidcAuthModuleOptions> = {},
    adapter: (app: INestApplication) => WsAdapter = (a) => new OidcWsAdapter(a),
  ) {
    logger = new RecordingLogger();
    let base: string;
    ({ app, url: base } = await gatewayApp(
      { issuers: trusted(issuer), ...options },
      adapter,
      logger,
    ));
    url = `${base.replace('http', 'ws')}/ws`;
  }

  afterEach(() => app.close());

  describe('with OidcWsAdapter', () => {
    beforeEach(() => start());

    it('refuses an upgrade without a token with 401 and a bearer challenge', async () => {
      const { socket, refused } = await connect(url);
      expect(socket).toBeUndefined();
      expect(refused?.statusCode).toBe(401);
      expect(refused?.headers['www-authenticate']).toBe(
        `Bearer realm="api", ${DEFAULT_DPOP_CHALLENGE}`,
      );
      expect(logger.lines).toContain('warn Refused GET /ws with 401: missing_token');
    });

    it('refuses an invalid or malformed token at the upgrade', async () => {
      const expired = await issuer.mintToken({ scopes: ['notes:read'] }, { expiresIn: -3600 });
      const invalid = await connect(url, bearer(expired));
      expect(invalid.refused?.statusCode).toBe(401);
      expect(invalid.refused?.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      const malformed = await connect(url, { authorization: 'Bearer a b' });
      expect(malformed.refused?.statusCode).toBe(400);
      expect(malformed.refused?.headers['www-authenticate']).toMatch(/error="invalid_request"/);
    });

    it('does not take the token from the query string unless configured', async () => {
      const token = await issuer.mintToken({ scopes: ['notes:read'] });
      const { refused } = await connect(`${url}?access_token=${token}`);
      expect(refused?.statusCode).toBe(401);
    });

    it('answers a message when the token has the scope, naming the caller', async () => {
      const socket = await openAs({ sub: 'alice', scopes: ['notes:read'] });
      expect(await ask(socket!, 'notes')).toEqual({
        event: 'notes',
        data: [{ id: 1, text: 'first', reader: 'alice' }],
      });
      expect(app.get(NotesGateway).connected).toEqual(['alice']);
      socket!.close();
    });

    it('answers a missing scope or role with an exception event and keeps the connection', async () => {
      const socket = await openAs({ sub: 'bob', scopes: ['notes:write'] });
      expect(await ask(socket!, 'notes')).toEqual({
        event: 'exception',
        data: refusalError(
          403,
          'insufficient_scope',
          'This resource requires the scope notes:read',
        ),
      });
      expect(await ask(socket!, 'purge')).toMatchObject({
        event: 'exception',
        data: { statusCode: 403, error: 'insufficient_scope' },
      });
      expect(socket!.readyState).toBe(WebSocket.OPEN);
      expect(await ask(socket!, 'ping', 'still here')).toEqual({
        event: 'pong',
        data: 'still here',
      });
      expect(logger.lines).toContain(
        `warn Refused ws notes with 403: insufficient_scope (issuer=${issuer.issuer} subject=bob client=test-client)`,
      );
      socket!.close();
    });
  });

  it('closes a connection with 1008 when its token expires', async () => {
    await start({ clockToleranceSeconds: 0 });
    const socket = await openAs({ scopes: ['notes:read'] }, { expiresIn: 2 });
    expect((await ask(socket!, 'notes')).event).toBe('notes');
    expect(await closed(socket!)).toEqual({ code: 1008, reason: 'The access token expired' });
  });

  it('takes the token from the configured query parameter', async () => {
    await start({ websocket: { queryParameter: 'access_token' } });
    const token = await issuer.mintToken({ sub: 'carol', scopes: ['notes:read'] });
    const { socket } = await connect(`${url}?access_token=${token}`);
    expect(await ask(socket!, 'notes')).toMatchObject({ data: [{ reader: 'carol' }] });
    socket!.close();
    const twice = await connect(`${url}?access_token=${token}&access_token=${token}`);
    expect(twice.refused?.statusCode).toBe(400);
    const both = await connect(`${url}?access_token=${token}`, bearer(token));
    expect(both.refused?.statusCode).toBe(400);
  });

  it('lets handshakes on public paths through, but still denies non-public handlers there', async () => {
    await start({}, (a) => new OidcWsAdapter(a, { publicPaths: ['/ws'] }));
    const { socket } = await connect(url);
    expect(await ask(socket!, 'ping', 1)).toEqual({ event: 'pong', data: 1 });
    expect(await ask(socket!, 'notes')).toMatchObject({
      event: 'exception',
      data: { statusCode: 401, error: 'unauthorized' },
    });
    socket!.close();
  });

  it('fails closed behind the plain WsAdapter: no handshake, no handler', async () => {
    await start({}, (a) => new WsAdapter(a));
    const socket = await openAs({ scopes: ['notes:read'] });
    expect(await ask(socket!, 'notes')).toMatchObject({
      event: 'exception',
      data: { statusCode: 401, error: 'unauthorized' },
    });
    expect(await ask(socket!, 'ping', 2)).toEqual({ event: 'pong', data: 2 });
    socket!.close();
  });
});
