import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BENCH_INTROSPECTION_CLIENT = { clientId: 'bench-api', clientSecret: 'bench-secret' };

/**
 * An RFC 7662 endpoint for the introspection scenarios, on 127.0.0.1 in the bench's own process:
 * every token is active for an hour, for `audience`, with the scope the JWT scenarios carry. It
 * counts its calls, so that the run can report introspection calls per request.
 */
export class BenchIntrospectionEndpoint {
  calls = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(issuer: string, audience: string): Promise<BenchIntrospectionEndpoint> {
    const { clientId, clientSecret } = BENCH_INTROSPECTION_CLIENT;
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const endpoint = new BenchIntrospectionEndpoint(server, `http://127.0.0.1:${port}/introspect`);
    server.on('request', (req, res) => {
      endpoint.calls += 1;
      req.resume();
      req.once('end', () => {
        if (req.headers.authorization !== expected) {
          res.writeHead(401).end();
          return;
        }
        const now = Math.floor(Date.now() / 1000);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            active: true,
            iss: issuer,
            aud: audience,
            sub: 'bench-user',
            client_id: 'bench-client',
            scope: 'notes:read',
            token_type: 'Bearer',
            iat: now,
            exp: now + 3600,
          }),
        );
      });
    });
    return endpoint;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
