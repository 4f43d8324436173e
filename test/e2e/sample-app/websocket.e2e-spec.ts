import { jest } from '@jest/globals';
import WebSocket from 'ws';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { serviceToken, startSampleAndExternal } from '../../support/sample-app.js';

jest.setTimeout(30_000);

/** The answer to one message, or how the upgrade or connection ended. */
function exchange(
  url: string,
  token: string | undefined,
  message: unknown,
): Promise<{ status?: number; frame?: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    socket.once('open', () => socket.send(JSON.stringify(message)));
    socket.once('message', (data: Buffer) => {
      resolve({ frame: JSON.parse(data.toString()) });
      socket.close();
    });
    socket.once('error', reject);
  });
}

describe('sample app: the notes WebSocket at /ws', () => {
  let provider: SampleApp;
  let external: SampleApp;

  const tokenWith = serviceToken;

  beforeAll(async () => {
    ({ provider, external } = await startSampleAndExternal());
  });

  afterAll(async () => {
    await external.close();
    await provider.close();
  });

  const wsUrl = (sample: SampleApp) => `${sample.apiUrl.replace('http', 'ws')}/ws`;

  it('answers {"event":"notes"} with the notes when the token has notes:read', async () => {
    const token = await tokenWith(provider, ['notes:read', 'notes:write']);
    const created = await fetch(`${provider.apiUrl}/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'over the socket' }),
    });
    expect(created.status).toBe(201);
    const { frame } = await exchange(wsUrl(provider), token, { event: 'notes', data: {} });
    expect(frame).toEqual({
      event: 'notes',
      data: [expect.objectContaining({ text: 'over the socket' })],
    });
  });

  it('refuses the upgrade without a token with 401', async () => {
    expect(await exchange(wsUrl(provider), undefined, { event: 'notes', data: {} })).toEqual({
      status: 401,
    });
  });

  it('answers a token without notes:read with an exception event', async () => {
    const token = await tokenWith(provider, ['notes:write']);
    const { frame } = await exchange(wsUrl(provider), token, { event: 'notes', data: {} });
    expect(frame).toMatchObject({
      event: 'exception',
      data: { statusCode: 403, error: 'insufficient_scope' },
    });
  });

  it('works the same in OIDC_ISSUER mode', async () => {
    const token = await tokenWith(provider, ['notes:read']);
    const { frame } = await exchange(wsUrl(external), token, { event: 'notes', data: {} });
    expect(frame).toEqual({ event: 'notes', data: [] });
    expect(await exchange(wsUrl(external), undefined, { event: 'notes', data: {} })).toEqual({
      status: 401,
    });
  });
});
