import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type IntrospectionFault =
  | 'none'
  | 'hang'
  | 'http502'
  | 'html'
  | 'not-json'
  | 'huge'
  | 'unauthorized'
  | 'bad-client'
  | 'forbidden'
  | 'slow';

export interface RecordedRequest {
  method: string;
  url: string;
  authorization?: string;
  accept?: string;
  contentType?: string;
  form: URLSearchParams;
}

/**
 * An RFC 7662 introspection endpoint on 127.0.0.1 for tests: tokens it issued are active until
 * revoked; it checks client_secret_basic credentials when given some, records every request,
 * answers RFC 9701 signed responses through `signResponse` when asked for them, and injects faults.
 */
export class LocalIntrospectionEndpoint {
  readonly requests: RecordedRequest[] = [];
  fault: IntrospectionFault = 'none';
  /** How long the `slow` fault waits before answering normally. */
  slowMs = 300;
  /** Checked with client_secret_basic when set; a mismatch answers 401. */
  credentials?: { clientId: string; clientSecret: string };
  /** Signs a payload for `Accept: application/token-introspection+jwt`; JSON is answered without it. */
  signResponse?: (payload: Record<string, unknown>) => string;
  private readonly active = new Map<string, Record<string, unknown>>();
  private server?: Server;
  private port = 0;
  private readonly hanging = new Set<ServerResponse>();

  static async start(): Promise<LocalIntrospectionEndpoint> {
    const endpoint = new LocalIntrospectionEndpoint();
    await endpoint.listen();
    return endpoint;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/introspect`;
  }

  get calls(): number {
    return this.requests.length;
  }

  /** A new opaque token (not a JWS: one dot) answered active with these members. */
  issue(members: Record<string, unknown>): string {
    const token = `opq_${randomBytes(12).toString('base64url')}.${randomBytes(8).toString('base64url')}`;
    return this.activate(token, members);
  }

  /** Answers this token (a JWT, say) active with these members. */
  activate(token: string, members: Record<string, unknown>): string {
    this.active.set(token, { active: true, ...members });
    return token;
  }

  revoke(token: string): void {
    this.active.delete(token);
  }

  /** Stops answering: connections are refused until `restart()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restart(): Promise<void> {
    return this.listen(this.port);
  }

  private listen(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      accept: req.headers.accept,
      contentType: req.headers['content-type'],
      form,
    });
    switch (this.fault) {
      case 'hang':
        this.hanging.add(res);
        return;
      case 'http502':
        res.writeHead(502).end('bad gateway');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return;
      case 'not-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"active": tru');
        return;
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"active":false,"padding":"${'x'.repeat(1024 * 1024)}"}`);
        return;
      case 'unauthorized':
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"error":"invalid_client"}');
        return;
      // RFC 6749 §5.2 allows invalid_client with 400, as some providers answer it.
      case 'bad-client':
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":"invalid_client"}');
        return;
      case 'forbidden':
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"access_denied"}');
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, this.slowMs));
        break;
      case 'none':
        break;
    }
    if (this.credentials && !this.authorized(req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
      return;
    }
    const members = this.active.get(form.get('token') ?? '') ?? { active: false };
    if (this.signResponse && req.headers.accept === 'application/token-introspection+jwt') {
      res
        .writeHead(200, { 'content-type': 'application/token-introspection+jwt' })
        .end(this.signResponse(members));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(members));
  }

  private authorized(authorization: string | undefined): boolean {
    const { clientId, clientSecret } = this.credentials!;
    const expected = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    return authorization === expected;
  }
}
