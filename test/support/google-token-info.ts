import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const WEB_CLIENT =
  '1234987819200-5jq3v8l0b4n2m6k1h9g7f5d3s1a0p8o6.apps.googleusercontent.com';

export type TokenInfoFault = 'none' | 'http500' | 'hang' | 'html' | 'huge' | 'redirect' | 'garbled';

/** What a caller saw of one request, to check the token stayed out of the URL. */
export interface SeenRequest {
  method: string;
  url: string;
}

/**
 * A stand-in for Google's token-info endpoint on 127.0.0.1, answering as Google documents it:
 * numbers as strings, `{"error":"invalid_token","error_description":"Invalid Value"}` with 400 for
 * a token it does not know (or that expired, or was revoked). The token comes as a Bearer
 * credential, as Google's own client library sends it.
 */
export class FakeGoogleTokenInfo {
  fault: TokenInfoFault = 'none';
  readonly seen: SeenRequest[] = [];
  private readonly tokens = new Map<string, Record<string, string>>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<FakeGoogleTokenInfo> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeGoogleTokenInfo(server, `http://127.0.0.1:${port}/tokeninfo`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.answer(req, res));
    return fake;
  }

  /** Issues a `ya29.` token for a user of `client` with `scopes`, valid `seconds` from now. */
  issue(
    options: { client?: string; scopes?: string[]; seconds?: number; sub?: string } = {},
  ): string {
    const token = `ya29.${randomBytes(48).toString('base64url')}`;
    const seconds = options.seconds ?? 3599;
    const client = options.client ?? WEB_CLIENT;
    this.tokens.set(token, {
      azp: client,
      aud: client,
      sub: options.sub ?? '110169484474386276334',
      scope: (options.scopes ?? ['openid', 'https://www.googleapis.com/auth/userinfo.email']).join(
        ' ',
      ),
      exp: String(Math.floor(Date.now() / 1000) + seconds),
      expires_in: String(seconds),
      email: 'alice@example.com',
      email_verified: 'true',
      access_type: 'online',
    });
    return token;
  }

  /**
   * A service account's token, as the metadata server hands them out: `ya29.c.…`, three
   * dot-separated parts like a JWS. No `sub`; the account's unique id is `azp` and `aud`.
   */
  issueServiceAccount(accountId = '113774264463038321964', scopes = ['notes.read']): string {
    const token = `ya29.c.${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, {
      azp: accountId,
      aud: accountId,
      scope: scopes.join(' '),
      exp: String(Math.floor(Date.now() / 1000) + 3599),
      expires_in: '3599',
      email: 'notes-caller@my-project.iam.gserviceaccount.com',
      email_verified: 'true',
      access_type: 'online',
    });
    return token;
  }

  /** What revoking at Google does: the token is unknown from now on. */
  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** Requests seen so far. */
  get calls(): number {
    return this.seen.length;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    this.seen.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    switch (this.fault) {
      case 'hang':
        return;
      case 'http500':
        return json(500, { error: 'internal_failure' });
      case 'html':
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
        return;
      case 'huge':
        return json(200, { padding: 'x'.repeat(64 * 1024) });
      case 'redirect':
        res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
        res.end();
        return;
      case 'garbled':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"aud": ');
        return;
    }
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const info = token === undefined ? undefined : this.tokens.get(token);
    if (!info || Number(info.exp) * 1000 <= Date.now()) {
      json(400, { error: 'invalid_token', error_description: 'Invalid Value' });
      return;
    }
    const left = Math.max(0, Number(info.exp) - Math.floor(Date.now() / 1000));
    json(200, { ...info, expires_in: String(left) });
  }
}
