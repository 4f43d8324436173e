import { type INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { connect } from 'node:net';
import request from 'supertest';
import { type OidcAuthModuleOptions } from '../../../lib/index.js';
import { dpopKey, makeProof } from '../../support/dpop.js';
import { type Platform, PLATFORMS, testControllersModule } from '../../support/test-app.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';

/** An application listening on 127.0.0.1 whose framework trusts proxies or not. */
async function appBehindProxy(
  platform: Platform,
  frameworkTrustsProxy: boolean,
  options: OidcAuthModuleOptions,
): Promise<{ app: INestApplication; port: number }> {
  const ref = await testControllersModule(options);
  let app: INestApplication;
  if (platform === 'fastify') {
    app = ref.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter({ trustProxy: frameworkTrustsProxy }),
      { logger: false },
    );
  } else {
    const express = ref.createNestApplication<NestExpressApplication>({ logger: false });
    if (frameworkTrustsProxy) express.set('trust proxy', true);
    app = express;
  }
  await app.listen(0, '127.0.0.1');
  return { app, port: Number(new URL(await app.getUrl()).port) };
}

/** Sends raw HTTP/1.1 (for request targets and Host values supertest cannot produce). */
function rawRequest(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`${head}\r\nConnection: close\r\n\r\n`),
    );
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer')));
  });
}

describe.each(PLATFORMS)('DPoP htu behind proxies and against Host tricks on %s', (platform) => {
  const issuer = suiteIssuer();
  const key = suiteFixture(() => dpopKey('ES256'));

  const options = (dpop: OidcAuthModuleOptions['dpop'] = {}): OidcAuthModuleOptions => ({
    issuers: [issuer.issuerOptions()],
    audit: { log: false },
    dpop,
  });
  const token = () => issuer.mint({ scope: 'notes:read', cnf: { jkt: key.thumbprint } });
  const proof = (htu: string, accessToken: string) =>
    makeProof(key, { htm: 'GET', htu, accessToken });
  const forwarded = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'api.example.com' };

  /** A forwarded request (as a proxy sends it) with a proof made for `htu`; its status. */
  async function forwardedCall(app: INestApplication, htu: string): Promise<request.Response> {
    const t = await token();
    return request(app.getHttpServer())
      .get('/notes')
      .set(forwarded)
      .set('Authorization', `DPoP ${t}`)
      .set('DPoP', await proof(htu, t));
  }

  it('uses the forwarded scheme and host when the framework trusts the proxy', async () => {
    const { app } = await appBehindProxy(platform, true, options());
    try {
      expect((await forwardedCall(app, 'https://api.example.com/notes')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('ignores forwarded headers when nothing trusts the proxy', async () => {
    const { app, port } = await appBehindProxy(platform, false, options());
    try {
      const forged = await forwardedCall(app, 'https://api.example.com/notes');
      expect(forged.status).toBe(401);
      expect(forged.body.message).toMatch(/htu/);
      expect((await forwardedCall(app, `http://127.0.0.1:${port}/notes`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('uses them with the module option dpop.trustProxy alone', async () => {
    const { app } = await appBehindProxy(platform, false, options({ trustProxy: true }));
    try {
      expect((await forwardedCall(app, 'https://api.example.com/notes')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('with dpop.origins, refuses a proof for another API replayed here under that API Host', async () => {
    const { app, port } = await appBehindProxy(
      platform,
      false,
      options({ origins: ['http://127.0.0.1:1'] }),
    );
    const open = await appBehindProxy(platform, false, options());
    try {
      const t = await token();
      const other = await proof('http://other-api.example/notes', t);
      const head = (host: string) =>
        `GET /notes HTTP/1.1\r\nHost: ${host}\r\nAuthorization: DPoP ${t}\r\nDPoP: ${other}`;
      expect(await rawRequest(port, head('other-api.example'))).toBe(401);
      // Without origins the Host header is believed: the risk dpop.origins removes.
      expect(await rawRequest(open.port, head('other-api.example'))).toBe(200);
    } finally {
      await app.close();
      await open.app.close();
    }
  });

  it('refuses a proof for the host named in an absolute-form request target', async () => {
    const { app, port } = await appBehindProxy(platform, false, options());
    try {
      const t = await token();
      const evil = await proof('http://evil.example/notes', t);
      const status = await rawRequest(
        port,
        `GET http://evil.example/notes HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: DPoP ${t}\r\nDPoP: ${evil}`,
      );
      expect([400, 401, 404]).toContain(status);
      expect(status).not.toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses a proof when the Host header smuggles a path or userinfo', async () => {
    const { app, port } = await appBehindProxy(platform, false, options());
    try {
      const t = await token();
      for (const [host, htu] of [
        ['evil.example/notes?', 'http://evil.example/notes'],
        [`x@127.0.0.1:${port}`, `http://127.0.0.1:${port}/notes`],
      ]) {
        const status = await rawRequest(
          port,
          `GET /notes HTTP/1.1\r\nHost: ${host}\r\nAuthorization: DPoP ${t}\r\nDPoP: ${await proof(htu, t)}`,
        );
        expect(status).not.toBe(200);
      }
    } finally {
      await app.close();
    }
  });
});
