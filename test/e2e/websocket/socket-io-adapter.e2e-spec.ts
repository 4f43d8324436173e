import { type INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { io, type Socket } from 'socket.io-client';
import { type OidcAuthModuleOptions } from '../../../lib/index.js';
import { OidcIoAdapter } from '../../../lib/socket-io/index.js';
import { gatewayApp, NotesGateway } from '../../support/notes-gateway.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';
import { refusalError } from '../../support/refusals.js';

type Refusal = Error & { data?: unknown };

/** Connects without retries; resolves with the socket, or with the `connect_error` it got. */
function connect(
  url: string,
  options: { auth?: Record<string, unknown>; extraHeaders?: Record<string, string> } = {},
): Promise<{ socket?: Socket; refused?: Refusal }> {
  return new Promise((resolve) => {
    const socket = io(url, {
      path: '/ws',
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...options,
    });
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err: Refusal) => {
      socket.close();
      resolve({ refused: err });
    });
  });
}

function ask(socket: Socket, event: string, data: unknown = {}): Promise<[string, unknown]> {
  return new Promise((resolve) => {
    socket.onAny(function listener(name: string, payload: unknown) {
      socket.offAny(listener);
      resolve([name, payload]);
    });
    socket.emit(event, data);
  });
}

describe('WebSocket gateways on the socket.io adapter', () => {
  const issuer = suiteIssuer();
  let app: INestApplication;
  let url: string;

  async function start(
    options: Partial<OidcAuthModuleOptions> = {},
    adapter: (app: INestApplication) => IoAdapter = (a) => new OidcIoAdapter(a),
  ) {
    ({ app, url } = await gatewayApp({ issuers: trusted(issuer), ...options }, adapter));
  }

  afterEach(() => app.close());

  describe('with OidcIoAdapter', () => {
    beforeEach(() => start());

    it('refuses a connection without a token with connect_error carrying the refusal', async () => {
      const { socket, refused } = await connect(url);
      expect(socket).toBeUndefined();
      expect(refused?.message).toBe('This resource requires a bearer token');
      expect(refused?.data).toEqual(
        refusalError(401, 'unauthorized', 'This resource requires a bearer token'),
      );
    });

    it('refuses an invalid token, or tokens in two places', async () => {
      const expired = await issuer.mintToken({ scopes: ['notes:read'] }, { expiresIn: -3600 });
      expect((await connect(url, { auth: { token: expired } })).refused?.data).toMatchObject({
        statusCode: 401,
        error: 'invalid_token',
      });
      const token = await issuer.mintToken({ scopes: ['notes:read'] });
      const twice = await connect(url, {
        auth: { token },
        extraHeaders: { authorization: `Bearer ${token}` },
      });
      expect(twice.refused?.data).toMatchObject({ statusCode: 400, error: 'invalid_request' });
      expect((await connect(url, { auth: { token: 42 } })).refused?.data).toMatchObject({
        statusCode: 400,
      });
    });

    it('refuses an auth.token longer than 16 KiB as invalid_token', async () => {
      const token = await issuer.mintToken({ scopes: ['notes:read'] });
      const { socket, refused } = await connect(url, {
        auth: { token: `${token}${'A'.repeat(16 * 1024)}` },
      });
      expect(socket).toBeUndefined();
      expect(refused?.data).toEqual(
        refusalError(401, 'invalid_token', 'The access token is longer than 16384 characters'),
      );
    });

    it('accepts auth.token with or without the Bearer prefix, and the Authorization header', async () => {
      const token = await issuer.mintToken({ sub: 'alice', scopes: ['notes:read'] });
      for (const options of [
        { auth: { token } },
        { auth: { token: `Bearer ${token}` } },
        { extraHeaders: { authorization: `Bearer ${token}` } },
      ]) {
        const { socket } = await connect(url, options);
        expect(await ask(socket!, 'notes')).toEqual([
          'notes',
          [{ id: 1, text: 'first', reader: 'alice' }],
        ]);
        socket!.close();
      }
      expect(app.get(NotesGateway).connected).toEqual(['alice', 'alice', 'alice']);
    });

    it('answers a missing scope or role with an exception event and keeps the connection', async () => {
      const { socket } = await connect(url, {
        auth: { token: await issuer.mintToken({ scopes: ['notes:write'] }) },
      });
      expect(await ask(socket!, 'purge')).toEqual([
        'exception',
        refusalError(403, 'insufficient_scope', 'This resource requires the role admin'),
      ]);
      expect(socket!.connected).toBe(true);
      expect(await ask(socket!, 'ping', 'ok')).toEqual(['pong', 'ok']);
      socket!.close();
    });
  });

  it('tells the client and disconnects it when its token expires', async () => {
    await start({ clockToleranceSeconds: 0 });
    const { socket } = await connect(url, {
      auth: { token: await issuer.mintToken({ scopes: ['notes:read'] }, { expiresIn: 2 }) },
    });
    const exception = new Promise((resolve) => socket!.once('exception', resolve));
    const disconnected = new Promise((resolve) => socket!.once('disconnect', resolve));
    expect(await exception).toEqual({
      status: 'error',
      error: 'invalid_token',
      message: 'The access token expired',
    });
    expect(await disconnected).toBe('io server disconnect');
  });

  it('lets handshakes into public namespaces, but still denies non-public handlers there', async () => {
    await start({}, (a) => new OidcIoAdapter(a, { publicNamespaces: ['/'] }));
    const { socket } = await connect(url);
    expect(await ask(socket!, 'ping', 1)).toEqual(['pong', 1]);
    expect(await ask(socket!, 'notes')).toEqual([
      'exception',
      expect.objectContaining({ statusCode: 401, error: 'unauthorized' }),
    ]);
    socket!.close();
  });

  it('behind the plain IoAdapter, authenticates each message from the handshake instead', async () => {
    await start({}, (a) => new IoAdapter(a));
    const anonymous = await connect(url);
    expect(await ask(anonymous.socket!, 'notes')).toEqual([
      'exception',
      expect.objectContaining({ statusCode: 401 }),
    ]);
    anonymous.socket!.close();
    const { socket } = await connect(url, {
      auth: { token: await issuer.mintToken({ sub: 'dave', scopes: ['notes:read'] }) },
    });
    expect(await ask(socket!, 'notes')).toEqual([
      'notes',
      [expect.objectContaining({ reader: 'dave' })],
    ]);
    socket!.close();
  });
});
