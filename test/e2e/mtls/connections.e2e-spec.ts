import { type INestApplication, type WebSocketAdapter } from '@nestjs/common';
import { type Client, createClient } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { OidcIoAdapter } from '../../../lib/socket-io/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';
import {
  aliceAndMallory,
  boundTo,
  type CertificatePair,
  requestingClientCertificates,
} from '../../support/certificates.js';
import { graphqlApp } from '../../support/graphql-app.js';
import { httpsCall } from '../../support/https-client.js';
import { gatewayApp } from '../../support/notes-gateway.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

function portOf(app: INestApplication): number {
  return ((app.getHttpServer() as Server).address() as AddressInfo).port;
}

describe('certificate-bound tokens on long-lived connections and GraphQL', () => {
  const issuer = suiteIssuer();
  const certs = suiteFixture(aliceAndMallory);

  /** The notes gateway behind `adapter`, over https asking for client certificates; its port. */
  async function httpsGateway(
    adapter: (app: INestApplication) => WebSocketAdapter,
  ): Promise<{ app: INestApplication; port: number }> {
    const { app } = await gatewayApp(
      { issuers: trusted(issuer) },
      adapter,
      false,
      requestingClientCertificates(certs.pki),
    );
    return { app, port: portOf(app) };
  }

  /** A socket.io client of the gateway on `port`, presenting `certificate`. */
  const ioClient = (port: number, token: string, certificate?: CertificatePair) =>
    io(`https://127.0.0.1:${port}`, {
      path: '/ws',
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token },
      ca: certs.pki.ca.cert,
      cert: certificate?.cert,
      key: certificate?.key,
    });

  describe('WebSocket upgrade (OidcWsAdapter over wss)', () => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      let port: number;
      ({ app, port } = await httpsGateway((a) => new OidcWsAdapter(a)));
      url = `wss://127.0.0.1:${port}/ws`;
    });
    afterAll(() => app.close());

    /** Opens a socket presenting `certificate`; the socket, or the answer that refused the upgrade. */
    function connect(
      token: string,
      certificate?: CertificatePair,
      headers: Record<string, string> = { authorization: `Bearer ${token}` },
    ): Promise<{ socket?: WebSocket; status?: number; challenge?: string }> {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(url, {
          headers,
          ca: certs.pki.ca.cert,
          cert: certificate?.cert,
          key: certificate?.key,
        });
        socket.once('open', () => resolve({ socket }));
        socket.once('unexpected-response', (_req, res: IncomingMessage) => {
          resolve({ status: res.statusCode, challenge: res.headers['www-authenticate'] });
          res.resume();
        });
        socket.once('error', reject);
      });
    }

    it('opens for the client holding the certificate and serves its messages', async () => {
      const token = await issuer.mint({
        sub: 'alice',
        scope: 'notes:read',
        ...boundTo(certs.alice),
      });
      const { socket } = await connect(token, certs.alice);
      expect(socket).toBeDefined();
      const frame = new Promise<string>((resolve) =>
        socket!.once('message', (data: Buffer) => resolve(data.toString())),
      );
      socket!.send(JSON.stringify({ event: 'notes', data: {} }));
      expect(JSON.parse(await frame)).toMatchObject({
        event: 'notes',
        data: [{ reader: 'alice' }],
      });
      socket!.close();
    });

    it('refuses the upgrade without the certificate, or with another', async () => {
      const token = await issuer.mint({ ...boundTo(certs.alice) });
      for (const certificate of [undefined, certs.mallory]) {
        const { socket, status, challenge } = await connect(token, certificate);
        expect(socket).toBeUndefined();
        expect(status).toBe(401);
        expect(challenge).toMatch(/error="invalid_token"/);
      }
    });

    it('opens for a token bound to a DPoP key and the certificate only with its proof and the certificate', async () => {
      const bound = await issuer.mintDpop(
        { sub: 'alice', scopes: ['notes:read'] },
        { certificate: certs.alice.cert },
      );
      const proven = () => bound.headers({ method: 'GET', url });
      const opened = await connect(bound.token, certs.alice, proven());
      expect(opened.socket).toBeDefined();
      opened.socket!.close();
      const refused = [
        await connect(bound.token, undefined, proven()),
        await connect(bound.token, certs.mallory, proven()),
        await connect(bound.token, certs.alice),
      ];
      expect(refused.map(({ socket, status }) => [socket, status])).toEqual([
        [undefined, 401],
        [undefined, 401],
        [undefined, 401],
      ]);
      expect(
        refused.map(({ challenge }) => /error_description="([^"]*)"/.exec(challenge!)?.[1]),
      ).toEqual([
        expect.stringMatching(/presented none/),
        expect.stringMatching(/not the one/),
        expect.stringMatching(/DPoP-bound/),
      ]);
    });
  });

  describe('socket.io (OidcIoAdapter over https)', () => {
    const gateway = suiteFixture(
      () => httpsGateway((a) => new OidcIoAdapter(a)),
      ({ app }) => app.close(),
    );

    /** The connection's outcome: `connected`, or the refusal's RFC 6750 code and message. */
    function connect(token: string, certificate?: CertificatePair): Promise<unknown> {
      return new Promise((resolve) => {
        const socket = ioClient(gateway.port, token, certificate);
        socket.once('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.once('connect_error', (err: Error & { data?: { error?: string } }) => {
          socket.close();
          resolve({ error: err.data?.error, message: err.message });
        });
      });
    }

    it('connects the client holding the certificate, and refuses anyone else', async () => {
      const token = await issuer.mint({ ...boundTo(certs.alice) });
      expect(await connect(token, certs.alice)).toBe('connected');
      expect(await connect(token, certs.mallory)).toEqual({
        error: 'invalid_token',
        message: 'The client certificate is not the one the access token is bound to',
      });
      expect(await connect(token)).toMatchObject({ message: /presented none/ });
    });
  });

  describe("socket.io behind Nest's plain IoAdapter (each message authenticated by the guard)", () => {
    const gateway = suiteFixture(
      () => httpsGateway((a) => new IoAdapter(a)),
      ({ app }) => app.close(),
    );

    /** The first answer to a `notes` message from a socket presenting `certificate`. */
    function notes(token: string, certificate?: CertificatePair): Promise<[string, unknown]> {
      return new Promise((resolve, reject) => {
        const socket = ioClient(gateway.port, token, certificate);
        socket.once('connect_error', reject);
        socket.once('connect', () => {
          socket.onAny((event: string, payload: unknown) => {
            socket.close();
            resolve([event, payload]);
          });
          socket.emit('notes', {});
        });
      });
    }

    it("checks each message against the certificate of the socket's connection", async () => {
      const token = await issuer.mint({
        sub: 'alice',
        scope: 'notes:read',
        ...boundTo(certs.alice),
      });
      expect(await notes(token, certs.alice)).toEqual([
        'notes',
        [expect.objectContaining({ reader: 'alice' })],
      ]);
      for (const certificate of [certs.mallory, undefined]) {
        expect(await notes(token, certificate)).toEqual([
          'exception',
          expect.objectContaining({ statusCode: 401, error: 'invalid_token' }),
        ]);
      }
    });
  });

  describe('GraphQL (Apollo over https)', () => {
    let app: INestApplication;
    let port: number;
    const clients: Client[] = [];

    beforeAll(async () => {
      app = await graphqlApp(
        { issuers: trusted(issuer) },
        false,
        requestingClientCertificates(certs.pki),
      );
      port = portOf(app);
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.close();
    });

    const query = (token: string, certificate?: CertificatePair) =>
      httpsCall(`https://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        ca: certs.pki.ca.cert,
        token,
        certificate,
        body: JSON.stringify({ query: '{ notes { id } }' }),
      });

    it('answers a query for the bound client, and an UNAUTHENTICATED error for anyone else', async () => {
      const token = await issuer.mint({ scope: 'notes:read', ...boundTo(certs.alice) });
      expect((await query(token, certs.alice)).body).toEqual({ data: { notes: [{ id: 1 }] } });
      for (const certificate of [undefined, certs.mallory]) {
        const { body } = await query(token, certificate);
        expect(body).toMatchObject({
          data: { notes: null },
          errors: [
            { extensions: { code: 'UNAUTHENTICATED', error: 'invalid_token', status: 401 } },
          ],
        });
      }
    });

    /** Whether a graphql-ws connection presenting `certificate` gets a first event of `noteAdded`. */
    function subscribe(token: string, certificate?: CertificatePair): Promise<unknown> {
      const tls = { ca: certs.pki.ca.cert, cert: certificate?.cert, key: certificate?.key };
      class CertificateSocket extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, tls);
        }
      }
      const client = createClient({
        url: `wss://127.0.0.1:${port}/graphql`,
        webSocketImpl: CertificateSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` },
      });
      clients.push(client);
      return new Promise((resolve) => {
        const dispose = client.subscribe(
          { query: 'subscription { noteAdded { id } }' },
          {
            next: (value) => {
              dispose();
              resolve(value);
            },
            error: (error) => resolve({ closed: (error as { code?: number }).code }),
            complete: () => resolve('complete'),
          },
        );
      });
    }

    it('checks a subscription at connection_init against the upgrade request', async () => {
      const token = await issuer.mint({ scope: 'notes:read', ...boundTo(certs.alice) });
      expect(await subscribe(token, certs.alice)).toEqual({ data: { noteAdded: { id: 1 } } });
      expect(await subscribe(token, certs.mallory)).toEqual({ closed: 4401 });
      expect(await subscribe(token)).toEqual({ closed: 4401 });
    });
  });
});
