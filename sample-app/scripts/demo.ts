/**
 * `npm run demo`: starts the sample (API + embedded provider) and walks through both flows, the
 * service's client-credentials token and a user's authorization code + PKCE login, over REST,
 * GraphQL and the WebSocket, a step-up to a second factor (RFC 9470), an opaque token introspected
 * (RFC 7662) then revoked (RFC 7009), and a DPoP-bound token (RFC 9449) with and without its
 * proofs, the MCP server at /mcp through the official MCP SDK client (client credentials, then
 * a user who registers, signs in and steps up), and a session revoked at the provider reaching the
 * API as an OpenID Shared Signals event (CAEP session-revoked, pushed to the API), printing what
 * each step answered. Exits non-zero when any answer is not the expected one.
 * `DEV_IDP_SIGNING_ALG=Ed25519 npm run demo` runs the same with tokens signed with Ed25519.
 */
import WebSocket from 'ws';
import { authorizedFetch, TokenClient } from '../../lib/index.js';
import { mcpWalkthrough } from '../src/clients/mcp-walkthrough.js';
import { loginWithPkce } from '../src/clients/pkce-login.js';
import { startSampleApp } from '../src/server.js';

const env = {
  ...process.env,
  PORT: process.env.DEMO_PORT ?? '3010',
  DEV_IDP_PORT: process.env.DEMO_IDP_PORT ?? '4010',
  DOWNSTREAM_PORT: process.env.DEMO_DOWNSTREAM_PORT ?? '3011',
  SAMPLE_APP_QUIET: '1',
  // Short, so that the demo sees a revoked opaque token refused without waiting a minute.
  INTROSPECTION_MAX_AGE_MS: process.env.INTROSPECTION_MAX_AGE_MS ?? '2000',
};

let failures = 0;

function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

async function expectCall(
  apiUrl: string,
  method: string,
  path: string,
  token: string | undefined,
  expected: number,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const ok = res.status === expected;
  if (!ok) failures += 1;
  const detail = res.status >= 400 ? ` ${res.headers.get('www-authenticate') ?? ''}`.trimEnd() : '';
  line(
    `  ${ok ? 'ok  ' : 'FAIL'} ${method.padEnd(6)} ${path.padEnd(10)} -> ${res.status} (expected ${expected})${detail}`,
  );
  return res;
}

function report(ok: boolean, what: string, answer: string, expected: string): void {
  if (!ok) failures += 1;
  line(`  ${ok ? 'ok  ' : 'FAIL'} ${what} -> ${answer} (expected ${expected})`);
}

/** `{ notes { id text } }` over POST /graphql: the data, or the first error's extensions.code. */
async function expectGraphQL(apiUrl: string, token: string | undefined, expected: string) {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: '{ notes { id text } }' }),
  });
  const body = (await res.json()) as {
    data?: { notes?: unknown[] } | null;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
  const answer = body.errors?.[0]?.extensions?.code ?? `${body.data?.notes?.length} notes`;
  report(
    answer.endsWith('notes') ? expected === 'data' : answer === expected,
    'GRAPHQL notes',
    answer,
    expected,
  );
}

/** `{"event":"notes","data":{}}` over the WebSocket at /ws: the answer's event, or the upgrade's status. */
function expectSocket(apiUrl: string, token: string | undefined, expected: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${apiUrl.replace('http', 'ws')}/ws`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    let answered = false;
    const done = (answer: string) => {
      if (answered) return;
      answered = true;
      report(answer === expected, 'WS      /ws notes', answer, expected);
      socket.terminate();
      resolve();
    };
    socket.once('unexpected-response', (_req, res) => done(String(res.statusCode)));
    socket.once('open', () => socket.send(JSON.stringify({ event: 'notes', data: {} })));
    socket.once('message', (data: Buffer) => done(`event ${JSON.parse(String(data)).event}`));
    socket.once('error', (err) => done(err.message));
  });
}

/**
 * An open WebSocket at /ws with `token` in its upgrade, and its close code once it ends (listened
 * for from the start: the API may close it before any further message).
 */
async function openSocket(
  apiUrl: string,
  token: string,
): Promise<{ socket: WebSocket; closed: Promise<string> }> {
  const socket = new WebSocket(`${apiUrl.replace('http', 'ws')}/ws`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const closed = new Promise<string>((resolve) =>
    socket.once('close', (code: number) => resolve(String(code))),
  );
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/**
 * How the connection ended: at once, or at its next message; `event <name>` if it answered that
 * message, `still open` if neither within 2 s.
 */
function connectionEnd(socket: WebSocket, closed: Promise<string>): Promise<string> {
  const answered = new Promise<string>((resolve) =>
    socket.once('message', (data: Buffer) => {
      resolve(`event ${JSON.parse(String(data)).event}`);
      socket.terminate();
    }),
  );
  if (socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ event: 'notes', data: {} }));
  }
  const timeout = new Promise<string>((resolve) =>
    setTimeout(() => resolve('still open'), 2000).unref(),
  );
  return Promise.race([closed, answered, timeout]);
}

/** GET /notes until it answers `status`, for at most `ms`: the answer and how long it took. */
async function waitForStatus(apiUrl: string, token: string, status: number, ms: number) {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`${apiUrl}/notes`, { headers: { authorization: `Bearer ${token}` } });
    await res.body?.cancel();
    const elapsed = Date.now() - started;
    if (res.status === status || elapsed > ms) {
      return {
        status: res.status,
        ms: elapsed,
        challenge: res.headers.get('www-authenticate') ?? '',
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A raw call with exactly these headers: for the DPoP requests no well-behaved client sends. */
async function expectRaw(
  apiUrl: string,
  what: string,
  path: string,
  headers: Record<string, string>,
  expected: number,
): Promise<void> {
  const res = await fetch(`${apiUrl}${path}`, { headers });
  await res.body?.cancel();
  const detail = res.status >= 400 ? ` ${res.headers.get('www-authenticate') ?? ''}`.trimEnd() : '';
  report(
    res.status === expected,
    `${what.padEnd(34)} GET ${path}`,
    `${res.status}${detail}`,
    String(expected),
  );
}

/** One parameter of a `WWW-Authenticate: Bearer ...` challenge. */
function challengeParameter(challenge: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(challenge)?.[1];
}

/** RFC 7009: the client that holds the token revokes it at the provider. */
async function revokeAt(
  endpoint: string,
  client: { clientId: string; clientSecret: string },
  token: string,
): Promise<number> {
  const credentials = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${credentials}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  return res.status;
}

function claimsOf(token: string, segment = 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[segment], 'base64url').toString('utf8'));
}

const sample = await startSampleApp(env);
const { apiUrl, idp } = sample;
try {
  if (!idp)
    throw new Error('The demo runs against the embedded provider; unset OIDC_ISSUER/OIDC_PROVIDER');
  line(`Notes API ${apiUrl}, identity provider ${idp.issuer}`);
  line();
  line('0. No token');
  await expectCall(apiUrl, 'GET', '/health', undefined, 200);
  await expectCall(apiUrl, 'GET', '/notes', undefined, 401);
  await expectGraphQL(apiUrl, undefined, 'UNAUTHENTICATED');
  await expectSocket(apiUrl, undefined, '401');

  line();
  line(`1. Client credentials: ${idp.serviceClient.clientId} gets a token for itself`);
  const serviceToken = await new TokenClient({
    tokenEndpoint: idp.tokenEndpoint,
    ...idp.serviceClient,
  }).getAppToken({
    scopes: ['notes:read', 'notes:write'],
  });
  const service = claimsOf(serviceToken);
  // DEV_IDP_SIGNING_ALG=Ed25519 (or EdDSA) runs the same demo with tokens signed by Ed25519.
  const signedWith = claimsOf(serviceToken, 0).alg;
  line(`  token: alg=${signedWith} sub=${service.sub} aud=${service.aud} scope="${service.scope}"`);
  await expectCall(apiUrl, 'GET', '/notes', serviceToken, 200);
  const created = await expectCall(apiUrl, 'POST', '/notes', serviceToken, 201, {
    text: 'written by a service',
  });
  const { id } = (await created.json()) as { id: number };
  await expectCall(apiUrl, 'DELETE', `/notes/${id}`, serviceToken, 403);
  await expectGraphQL(apiUrl, serviceToken, 'data');
  await expectSocket(apiUrl, serviceToken, 'event notes');

  const redirectUri = `${apiUrl}/docs/oauth2-redirect.html`;
  for (const [step, username, deleteStatus] of [
    ['2', 'alice', 204],
    ['3', 'bob', 403],
  ] as const) {
    line();
    line(`${step}. Authorization code + PKCE: ${username} signs in through ${idp.spaClientId}`);
    const { accessToken, transcript } = await loginWithPkce({
      issuer: idp.issuer,
      clientId: idp.spaClientId,
      redirectUri,
      username,
      password: username,
      scope: 'openid notes:read notes:write',
    });
    for (const entry of transcript) line(`  ${entry}`);
    const claims = claimsOf(accessToken);
    line(
      `  token: sub=${claims.sub} roles=${JSON.stringify(claims.roles)} scope="${claims.scope}"`,
    );
    await expectCall(apiUrl, 'GET', '/me', accessToken, 200);
    await expectCall(apiUrl, 'GET', '/notes', accessToken, 200);
    const note = await expectCall(apiUrl, 'POST', '/notes', accessToken, 201, {
      text: `by ${username}`,
    });
    const noteId = ((await note.json()) as { id: number }).id;
    await expectCall(apiUrl, 'DELETE', `/notes/${noteId}`, accessToken, deleteStatus);
    if (username === 'alice') {
      line();
      line("2b. Downstream calls: the notes API calls the audit API with alice's token");
      const obo = await expectCall(apiUrl, 'GET', '/downstream/on-behalf-of', accessToken, 200);
      line(
        `  on behalf of alice (token exchange): audit API saw ${JSON.stringify(await obo.json())}`,
      );
      const self = await expectCall(apiUrl, 'GET', '/downstream/as-service', accessToken, 200);
      line(`  as itself (client credentials): audit API saw ${JSON.stringify(await self.json())}`);
    }
  }

  line();
  line('4. Step-up (RFC 9470): GET /notes/export needs a second factor within the last 300 s');
  const bob = await loginWithPkce({
    issuer: idp.issuer,
    clientId: idp.spaClientId,
    redirectUri,
    username: 'bob',
    password: 'bob',
    scope: 'openid notes:read',
  });
  const challenged = await expectCall(apiUrl, 'GET', '/notes/export', bob.accessToken, 401);
  const challenge = challenged.headers.get('www-authenticate') ?? '';
  const acrValues = challengeParameter(challenge, 'acr_values');
  const maxAge = challengeParameter(challenge, 'max_age');
  line(`  the client signs in again with acr_values=${acrValues} max_age=${maxAge}: carol + code`);
  const carol = await loginWithPkce({
    issuer: idp.issuer,
    clientId: idp.spaClientId,
    redirectUri,
    username: 'carol',
    password: 'carol',
    oneTimeCode: '123456',
    scope: 'openid notes:read',
    acrValues,
    maxAge: maxAge === undefined ? undefined : Number(maxAge),
  });
  const stepped = claimsOf(carol.accessToken);
  line(
    `  token: sub=${stepped.sub} acr=${stepped.acr} amr=${JSON.stringify(stepped.amr)} auth_time=${stepped.auth_time}`,
  );
  await expectCall(apiUrl, 'GET', '/notes/export', carol.accessToken, 200);

  line();
  line(
    `5. Opaque token (RFC 7662): ${idp.opaqueClient.clientId} gets a reference token, the API introspects it`,
  );
  const opaque = await new TokenClient({
    tokenEndpoint: idp.tokenEndpoint,
    ...idp.opaqueClient,
  }).getAppToken({ scopes: ['notes:read'] });
  line(`  token: ${opaque.length} opaque characters, not a JWT`);
  const asked = idp.requests.introspection;
  await expectCall(apiUrl, 'GET', '/notes', opaque, 200);
  await expectCall(apiUrl, 'GET', '/notes', opaque, 200);
  await expectCall(apiUrl, 'POST', '/notes', opaque, 403, { text: 'read-only client' });
  const calls = idp.requests.introspection - asked;
  report(calls === 1, 'introspection calls for 3 requests', String(calls), '1 (cached)');
  const revoked = await revokeAt(idp.revocationEndpoint, idp.opaqueClient, opaque);
  report(revoked === 200, 'POST revocation (RFC 7009)', String(revoked), '200');
  line(
    `  still cached: accepted until the entry ends (INTROSPECTION_MAX_AGE_MS=${env.INTROSPECTION_MAX_AGE_MS})`,
  );
  await expectCall(apiUrl, 'GET', '/notes', opaque, 200);
  await new Promise((resolve) => setTimeout(resolve, Number(env.INTROSPECTION_MAX_AGE_MS) + 200));
  await expectCall(apiUrl, 'GET', '/notes', opaque, 401);

  line();
  line("6. DPoP (RFC 9449): a token bound to the service's key, useless without it");
  const dpopClient = new TokenClient({
    tokenEndpoint: idp.tokenEndpoint,
    ...idp.serviceClient,
    dpop: true,
  });
  const readNotes = { scopes: ['notes:read'] };
  const res = await authorizedFetch(dpopClient, readNotes)(`${apiUrl}/notes`);
  await res.body?.cancel();
  report(res.status === 200, 'DPoP client credentials  GET /notes', String(res.status), '200');
  const bound = await dpopClient.getAppToken(readNotes);
  const { thumbprint } = await dpopClient.dpop!.keyPair();
  const { cnf } = claimsOf(bound) as { cnf?: { jkt?: string } };
  report(
    cnf?.jkt === thumbprint,
    '  token cnf.jkt = thumbprint of the key',
    String(cnf?.jkt),
    thumbprint,
  );
  await expectRaw(
    apiUrl,
    'the token, no proof (DPoP scheme)',
    '/notes',
    { authorization: `DPoP ${bound}` },
    401,
  );
  await expectRaw(
    apiUrl,
    'the token as a bearer token',
    '/notes',
    { authorization: `Bearer ${bound}` },
    401,
  );
  const proof = await dpopClient.dpop!.proof('GET', `${apiUrl}/notes`, bound);
  const withProof = { authorization: `DPoP ${bound}`, dpop: proof };
  await expectRaw(apiUrl, 'the token with a fresh proof', '/notes', withProof, 200);
  await expectRaw(apiUrl, 'the same proof again (replayed)', '/notes', withProof, 401);

  line();
  line(`7. MCP: the official SDK client at ${sample.mcpResource}, finding everything from the 401`);
  await mcpWalkthrough(
    {
      mcpResource: sample.mcpResource,
      issuer: idp.issuer,
      serviceClient: idp.serviceClient,
      redirectUri,
    },
    { line, report },
  );

  line();
  line(
    "8. Shared Signals: an admin revokes bob's session at the provider, the API hears it at once",
  );
  const [stream] = idp.ssf.allStreams;
  line(`  stream ${stream.id}: ${stream.method} to ${stream.endpointUrl}, ${stream.status}`);
  const bobNow = await loginWithPkce({
    issuer: idp.issuer,
    clientId: idp.spaClientId,
    redirectUri,
    username: 'bob',
    password: 'bob',
    scope: 'openid notes:read',
  });
  const { sid } = claimsOf(bobNow.accessToken) as { sid?: string };
  line(`  token: sub=bob sid=${sid}`);
  await expectCall(apiUrl, 'GET', '/notes', bobNow.accessToken, 200);
  const { socket, closed: ended } = await openSocket(apiUrl, bobNow.accessToken);
  const admin = await fetch(`${idp.issuer}/admin/ssf-events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${idp.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'session-revoked', sub: 'bob', sid }),
  });
  report(
    admin.status === 202,
    'POST /admin/ssf-events session-revoked',
    String(admin.status),
    '202',
  );
  const refused = await waitForStatus(apiUrl, bobNow.accessToken, 401, 2000);
  report(
    refused.status === 401,
    'GET    /notes  (same token)',
    `${refused.status} after ${refused.ms} ms`,
    '401',
  );
  line(`  ${refused.challenge}`);
  const closed = await connectionEnd(socket, ended);
  report(
    closed === '1008',
    'WS      /ws notes on the open connection',
    `closed ${closed}`,
    'closed 1008',
  );
  // A login in the very second of the revocation would be refused with it (iat is whole seconds).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const bobAgain = await loginWithPkce({
    issuer: idp.issuer,
    clientId: idp.spaClientId,
    redirectUri,
    username: 'bob',
    password: 'bob',
    scope: 'openid notes:read',
  });
  line('  bob signs in again');
  await expectCall(apiUrl, 'GET', '/notes', bobAgain.accessToken, 200);
} catch (err) {
  failures += 1;
  line(`FAIL ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await sample.close();
}

line();
line(
  failures === 0
    ? 'Every answer was the expected one.'
    : `${failures} answer(s) differed from the expected.`,
);
process.exit(failures === 0 ? 0 : 1);
