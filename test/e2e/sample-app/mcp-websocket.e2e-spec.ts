import WebSocket from 'ws';
import { TokenClient } from '../../../lib/index.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { startSample } from '../../support/sample-app.js';

// An MCP token at the sample's WebSocket gateway. Its own file because what it reads, the ws
// adapter's `exception` event, is sent to the client by Nest 12 only (jest.config.ts, nest12Only).
describe('sample app MCP server: its tokens at the WebSocket gateway', () => {
  let sample: SampleApp;

  beforeAll(async () => {
    sample = await startSample();
  });

  afterAll(() => sample?.close());

  it("gets the gateway's messages refused", async () => {
    const token = await new TokenClient({
      tokenEndpoint: sample.idp!.tokenEndpoint,
      ...sample.idp!.serviceClient,
    }).getAppToken({ resource: sample.mcpResource, scopes: ['notes:read'] });
    const authorization = `Bearer ${token}`;

    // The upgrade itself takes any token its issuer accepts (the ws adapter knows no resources);
    // the gateway's handlers, under the root resource, refuse an MCP token.
    const message = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`${sample.apiUrl.replace('http', 'ws')}/ws`, {
        headers: { authorization },
      });
      const done = (text: string) => {
        socket.terminate();
        resolve(text);
      };
      socket.once('unexpected-response', (_req, res) => done(`upgrade ${res.statusCode}`));
      socket.once('open', () => socket.send(JSON.stringify({ event: 'notes', data: {} })));
      socket.once('message', (data: Buffer) => done(String(data)));
      socket.once('close', (code) => done(`close ${code}`));
      socket.once('error', (err) => done(err.message));
    });
    expect(JSON.parse(message)).toMatchObject({
      event: 'exception',
      data: { statusCode: 401, error: 'invalid_token' },
    });
  });
});
