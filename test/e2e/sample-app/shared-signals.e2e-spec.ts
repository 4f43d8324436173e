import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { loginWithPkce } from '../../../sample-app/src/clients/pkce-login.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { startSample } from '../../support/sample-app.js';
import { openWebSocket } from '../../support/ws-client.js';

jest.setTimeout(30_000);

const POLL = 'urn:ietf:rfc:8936';
const PUSH = 'urn:ietf:rfc:8935';

/** Resolves once `check` holds, polling every 50 ms, for at most `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

async function login(provider: SampleApp, username: string): Promise<string> {
  return (await signIn(provider, username)).accessToken;
}

function signIn(provider: SampleApp, username: string) {
  return loginWithPkce({
    issuer: provider.idp!.issuer,
    clientId: provider.idp!.spaClientId,
    redirectUri: `${provider.apiUrl}/docs/oauth2-redirect.html`,
    username,
    password: username,
    // carol has a second factor.
    oneTimeCode: username === 'carol' ? '123456' : undefined,
    scope: 'openid notes:read',
  });
}

const status = async (sample: SampleApp, token: string) =>
  (await fetch(`${sample.apiUrl}/me`, { headers: { authorization: `Bearer ${token}` } })).status;

/**
 * What `npm run demo` shows in step 8, as a test, for both delivery methods.
 * The sample's embedded provider as an SSF transmitter and the sample API as its receiver: the
 * stream created at startup (push by default, or poll), bob's session revoked at the provider,
 * his token refused on the REST API and his open WebSocket, a new login accepted.
 */
describe.each([
  ['push', {}],
  ['poll', { OIDC_SSF_DELIVERY: 'poll' }],
] as const)('the sample as receiver of its own provider (%s delivery)', (delivery, env) => {
  let sample: SampleApp;

  beforeAll(async () => {
    sample = await startSample(env);
  });

  afterAll(() => sample.close());

  it('creates its stream at startup and has it verified', async () => {
    const streams = sample.idp!.ssf.allStreams;
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({
      clientId: sample.idp!.introspectionClient.clientId,
      method: delivery === 'push' ? PUSH : POLL,
      aud: sample.apiUrl,
      status: 'enabled',
    });
    if (delivery === 'push') expect(streams[0].endpointUrl).toBe(`${sample.apiUrl}/ssf/events`);
    // The verification event was delivered and accepted: nothing is left pending or refused.
    expect(await eventually(() => streams[0].pending.size === 0)).toBe(true);
    expect(sample.idp!.ssf.refused).toEqual([]);
  });

  it("refuses bob's token on REST and on his open WebSocket once his session is revoked, and accepts a new login", async () => {
    const token = await login(sample, 'bob');
    const { sid } = decodeJwt(token);
    expect(typeof sid).toBe('string');
    expect(await status(sample, token)).toBe(200);
    const socket = await openWebSocket(`${sample.apiUrl.replace('http', 'ws')}/ws`, token);
    // Closed by the API as soon as it hears of the revocation, or at the latest at its next message.
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));

    await sample.idp!.revokeSession('bob', sid as string);
    expect(await eventually(async () => (await status(sample, token)) === 401)).toBe(true);
    if (socket.readyState === socket.OPEN)
      socket.send(JSON.stringify({ event: 'notes', data: {} }));
    expect(await closed).toBe(1008);

    // A token of the same user issued after the event is fine (iat not before the revocation).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const fresh = await login(sample, 'bob');
    expect(await status(sample, fresh)).toBe(200);
  });

  it('refuses the tokens of a session its user signed out of at the provider', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const alice = await signIn(sample, 'alice');
    expect(await status(sample, alice.accessToken)).toBe(200);
    await alice.signOut();
    expect(await eventually(async () => (await status(sample, alice.accessToken)) === 401)).toBe(
      true,
    );
  });

  it('refuses every token of a disabled account until it is enabled, and tokens issued before stay refused', async () => {
    const before = await login(sample, 'alice');
    expect(await status(sample, before)).toBe(200);
    await sample.idp!.disableAccount('alice');
    expect(await eventually(async () => (await status(sample, before)) === 401)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const during = await login(sample, 'alice');
    expect(await status(sample, during)).toBe(401);

    await sample.idp!.enableAccount('alice');
    expect(await eventually(async () => (await status(sample, during)) === 200)).toBe(true);
    expect(await status(sample, before)).toBe(401);
  });

  it('hears the stream paused and enabled again (stream-updated), and gets the events held meanwhile', async () => {
    const [stream] = sample.idp!.ssf.allStreams;
    const token = await login(sample, 'carol');
    expect(await status(sample, token)).toBe(200);
    await sample.idp!.ssf.setStatus(stream.id, 'paused', 'maintenance');
    await sample.idp!.revokeSession('carol');
    // Held by the transmitter while paused: the token still works.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await status(sample, token)).toBe(200);
    await sample.idp!.ssf.setStatus(stream.id, 'enabled');
    expect(await eventually(async () => (await status(sample, token)) === 401)).toBe(true);
    expect(sample.idp!.ssf.refused).toEqual([]);
  });
});

describe("the sample in OIDC_ISSUER mode, receiving from another instance's provider", () => {
  let provider: SampleApp;
  const externals: SampleApp[] = [];

  beforeAll(async () => {
    provider = await startSample();
  });

  afterAll(async () => {
    for (const external of externals) await external.close();
    await provider.close();
  });

  it.each(['push', 'poll'])(
    'creates a %s stream with a client-credentials token and refuses a revoked session',
    async (delivery) => {
      const idp = provider.idp!;
      const external = await startSample({
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: 'api://notes',
        OIDC_SSF_TRANSMITTER: idp.issuer,
        // What the provider addresses the SETs of the API's client to.
        OIDC_SSF_AUDIENCE: provider.apiUrl,
        OIDC_SSF_DELIVERY: delivery,
        OIDC_SSF_CLIENT_ID: idp.introspectionClient.clientId,
        OIDC_SSF_CLIENT_SECRET: idp.introspectionClient.clientSecret,
      });
      externals.push(external);
      const token = await login(provider, 'bob');
      expect(await status(external, token)).toBe(200);
      await idp.revokeSession('bob', decodeJwt(token).sid as string);
      expect(await eventually(async () => (await status(external, token)) === 401)).toBe(true);
      expect(idp.ssf.refused).toEqual([]);
    },
  );

  it('does not start with OIDC_SSF_TRANSMITTER but no way to get a token', async () => {
    await expect(
      startSample({
        OIDC_ISSUER: provider.idp!.issuer,
        OIDC_AUDIENCE: 'api://notes',
        OIDC_SSF_TRANSMITTER: provider.idp!.issuer,
      }),
    ).rejects.toThrow(/OIDC_SSF_BEARER/);
  });
});

describe("the embedded provider's SSF endpoints", () => {
  let sample: SampleApp;

  beforeAll(async () => {
    sample = await startSample();
  });

  afterAll(() => sample.close());

  it('publishes its SSF configuration', async () => {
    const res = await fetch(`${sample.idp!.issuer}/.well-known/ssf-configuration`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      issuer: sample.idp!.issuer,
      jwks_uri: `${sample.idp!.issuer}/jwks`,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: `${sample.idp!.issuer}/ssf/streams`,
    });
  });

  it('refuses stream management without a token of the API client for the ssf resource', async () => {
    const none = await fetch(`${sample.idp!.issuer}/ssf/streams`);
    expect(none.status).toBe(401);
    const wrong = await fetch(`${sample.idp!.issuer}/ssf/streams`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(wrong.status).toBe(401);
  });

  it('answers the admin endpoint only with its token, and bad input with 400', async () => {
    const admin = (authorization: string, body: string) =>
      fetch(`${sample.idp!.issuer}/admin/ssf-events`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body,
      });
    const ok = JSON.stringify({ event: 'account-enabled', sub: 'bob' });
    expect((await admin('Bearer wrong', ok)).status).toBe(401);
    const token = `Bearer ${sample.idp!.adminToken}`;
    expect((await admin(token, '{not json')).status).toBe(400);
    expect((await admin(token, JSON.stringify({ event: 'nope', sub: 'bob' }))).status).toBe(400);
    expect((await admin(token, ok)).status).toBe(202);
  });
});
