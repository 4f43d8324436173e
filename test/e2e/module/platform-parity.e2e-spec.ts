import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { appWith } from '../../support/test-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

interface Answer {
  status: number;
  wwwAuthenticate?: string;
  retryAfter?: string;
  contentType?: string;
  body: unknown;
}

describe('Express and Fastify answer alike', () => {
  const issuer = suiteIssuer();
  let express: INestApplication;
  let fastify: INestApplication;
  // An issuer that is down from the start: its tokens meet a 503.
  const silent = suiteIssuer();

  beforeAll(async () => {
    await silent.stop();
    const resource = 'http://127.0.0.1/api';
    // The advertised resource must be an audience a trusted issuer accepts (checked at start-up).
    const [live, down] = trusted(issuer, silent);
    const options = {
      issuers: [{ ...live, audience: [issuer.audience, resource] }, down],
      protectedResource: { resource },
    };
    express = await appWith(options, 'express');
    fastify = await appWith(options, 'fastify');
  });

  afterAll(async () => {
    await express.close();
    await fastify.close();
  });

  async function answer(
    app: INestApplication,
    method: 'get' | 'post' | 'delete',
    path: string,
    authorization?: string,
  ): Promise<Answer> {
    const req = request(app.getHttpServer())[method](path);
    const res = await (authorization === undefined ? req : req.set('Authorization', authorization));
    return {
      status: res.status,
      wwwAuthenticate: res.headers['www-authenticate'],
      // The seconds left of the key-fetch cooldown: the two apps may ask across a second boundary.
      retryAfter: res.headers['retry-after']?.replace(/^[1-9]\d*$/, '<seconds>'),
      contentType: res.headers['content-type']?.replace(/;\s*charset=utf-8/i, ''),
      body: res.body,
    };
  }

  it('for every kind of refusal and for admitted requests', async () => {
    const reader = await issuer.mintToken({ sub: 'alice', scopes: ['notes:read'] });
    const cases: Array<['get' | 'post' | 'delete', string, string | undefined]> = [
      ['get', '/health', undefined],
      ['get', '/notes', undefined],
      ['get', '/notes', 'Basic dXNlcjpwYXNz'],
      ['get', '/notes', 'Bearer'],
      ['get', '/notes', 'Bearer a b'],
      ['get', '/notes', 'Bearer not-a-jwt'],
      ['get', '/notes', `Bearer ${await issuer.mintToken({}, { expiresIn: -3600 })}`],
      ['get', '/notes', `Bearer ${await issuer.mint({ aud: 'api://elsewhere' })}`],
      ['get', '/notes', `Bearer ${await silent.mint()}`],
      ['get', '/notes', `Bearer ${reader}`],
      ['post', '/notes', `Bearer ${reader}`],
      ['delete', '/notes/1', `Bearer ${reader}`],
      ['get', '/reports', `Bearer ${reader}`],
    ];
    const statuses: number[] = [];
    for (const [method, path, authorization] of cases) {
      const onExpress = await answer(express, method, path, authorization);
      const onFastify = await answer(fastify, method, path, authorization);
      expect({ request: `${method} ${path} ${authorization}`, ...onFastify }).toEqual({
        request: `${method} ${path} ${authorization}`,
        ...onExpress,
      });
      statuses.push(onExpress.status);
    }
    expect(statuses).toEqual([200, 401, 401, 400, 400, 401, 401, 401, 503, 200, 403, 403, 403]);
  });
});
