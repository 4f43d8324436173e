import {
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from '../../../../lib/protocol/errors/errors.js';
import {
  endConnection,
  socketIoHandshakeToken,
  upgradeRequestToken,
} from '../../../../lib/nest/transports/ws.transport.js';

const TOKEN = 'aaa.bbb.ccc';

describe('upgradeRequestToken', () => {
  const upgrade = (url: string, authorization?: string) => ({
    url,
    headers: authorization ? { authorization } : {},
  });

  it('reads the Authorization header', () => {
    expect(upgradeRequestToken(upgrade('/ws', `Bearer ${TOKEN}`), {})).toBe(TOKEN);
  });

  it('ignores the query string unless a parameter is named', () => {
    expect(() => upgradeRequestToken(upgrade(`/ws?access_token=${TOKEN}`), {})).toThrow(
      MissingTokenError,
    );
    expect(upgradeRequestToken(upgrade(`/ws?token=${TOKEN}`), { queryParameter: 'token' })).toBe(
      TOKEN,
    );
  });

  it('refuses a token in two places or twice in the query', () => {
    const options = { queryParameter: 'access_token' };
    expect(() =>
      upgradeRequestToken(upgrade(`/ws?access_token=${TOKEN}`, `Bearer ${TOKEN}`), options),
    ).toThrow(InvalidRequestError);
    expect(() =>
      upgradeRequestToken(upgrade(`/ws?access_token=${TOKEN}&access_token=${TOKEN}`), options),
    ).toThrow(InvalidRequestError);
  });
});

describe('socketIoHandshakeToken', () => {
  it('takes auth.token with or without the Bearer prefix', () => {
    expect(socketIoHandshakeToken({ auth: { token: TOKEN } }, {})).toBe(TOKEN);
    expect(socketIoHandshakeToken({ auth: { token: `bearer ${TOKEN}` } }, {})).toBe(TOKEN);
  });

  it('falls back to the header, then to a named query parameter', () => {
    expect(
      socketIoHandshakeToken({ auth: {}, headers: { authorization: `Bearer ${TOKEN}` } }, {}),
    ).toBe(TOKEN);
    expect(socketIoHandshakeToken({ auth: {}, query: { t: TOKEN } }, { queryParameter: 't' })).toBe(
      TOKEN,
    );
    expect(() => socketIoHandshakeToken({ auth: {}, query: { t: TOKEN } }, {})).toThrow(
      MissingTokenError,
    );
  });

  it('refuses auth.token beside a header, a non-string, or two tokens in one string', () => {
    expect(() =>
      socketIoHandshakeToken(
        { auth: { token: TOKEN }, headers: { authorization: `Bearer ${TOKEN}` } },
        {},
      ),
    ).toThrow(InvalidRequestError);
    expect(() => socketIoHandshakeToken({ auth: { token: ['x'] } }, {})).toThrow(
      InvalidRequestError,
    );
    expect(() => socketIoHandshakeToken({ auth: { token: `${TOKEN} ${TOKEN}` } }, {})).toThrow(
      InvalidRequestError,
    );
  });
});

describe('handshake tokens longer than 16 KiB', () => {
  const long = 'a'.repeat(16 * 1024 + 1);

  it('are invalid_token in every place a WebSocket client may put them', () => {
    expect(() =>
      upgradeRequestToken({ url: '/ws', headers: { authorization: `Bearer ${long}` } }, {}),
    ).toThrow(InvalidTokenError);
    expect(() =>
      upgradeRequestToken({ url: `/ws?t=${long}`, headers: {} }, { queryParameter: 't' }),
    ).toThrow(InvalidTokenError);
    expect(() => socketIoHandshakeToken({ auth: { token: long } }, {})).toThrow(InvalidTokenError);
    expect(() => socketIoHandshakeToken({ auth: { token: `Bearer ${long}` } }, {})).toThrow(
      InvalidTokenError,
    );
  });
});

describe('endConnection', () => {
  it('closes a ws socket with 1008', () => {
    const calls: unknown[] = [];
    endConnection({ readyState: 1, close: (...args) => calls.push(args) }, 'expired');
    expect(calls).toEqual([[1008, 'expired']]);
  });

  it('tells a socket.io client why, then disconnects it', () => {
    const calls: unknown[] = [];
    endConnection(
      {
        emit: (...args) => calls.push(['emit', ...args]),
        disconnect: (close) => calls.push(['disconnect', close]),
      },
      'expired',
    );
    expect(calls).toEqual([
      ['emit', 'exception', { status: 'error', error: 'invalid_token', message: 'expired' }],
      ['disconnect', true],
    ]);
  });
});
