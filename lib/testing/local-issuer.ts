import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type KeyObject, randomUUID, type X509Certificate } from 'node:crypto';
import { certificateThumbprint } from '../protocol/mtls/client-certificate.js';
import { CERTIFICATE_CONFIRMATION } from '../core/mtls/certificate-binding.js';
import { type DpopAlgorithm, DpopKey } from '../client/dpop-key.js';
import type { AsymmetricAlgorithm } from '../core/jose/algorithms.js';
import { signJws } from '../core/jose/jws-signer.js';
import { generateKeyPairFor } from '../core/jose/key-generation.js';
import { DpopBoundToken } from './dpop-bound-token.js';
import type { IssuerOptions } from '../core/issuers/issuer-options.js';
import {
  providerClaims,
  providerIssuerOptions,
  type ProviderShape,
  type TokenSubject,
} from './provider-tokens.js';

type JWK = Record<string, unknown>;

export type IssuerFault =
  'none' | 'http500' | 'html' | 'hang' | 'truncated' | 'huge' | 'redirect' | 'no-keys';

interface SigningKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface MintOptions {
  /** Signs with the key of this `kid` (from `addKey()`); default, or unknown: the current key. */
  kid?: string;
  /** The header's `alg` and what the key signs with (the key's own algorithm by default). */
  alg?: AsymmetricAlgorithm;
  /** Header fields added to, or overriding, the defaults. */
  header?: Record<string, unknown>;
  /** Seconds until expiry; default 300. `null` leaves `exp` out. */
  expiresIn?: number | null;
  /**
   * Binds the token to this client certificate (PEM, DER or `X509Certificate`): `cnf["x5t#S256"]`
   * is its thumbprint (RFC 8705 §3), so only a client presenting it is admitted.
   */
  certificate?: string | Uint8Array | X509Certificate;
}

/**
 * An OpenID issuer on 127.0.0.1 for tests: discovery + JWKS over real HTTP, keys made with
 * node:crypto, with counters and injectable faults to observe how the module fetches.
 */
export class LocalIssuer {
  readonly requests = { discovery: 0, jwks: 0 };
  fault: IssuerFault = 'none';
  /** Where the `redirect` fault sends clients. */
  redirectTo = 'http://127.0.0.1:9/elsewhere';
  /** Extra JWKs published beside the signing keys (odd key types, keys without kid ...). */
  extraJwks: object[] = [];
  /** Further discovery documents by path, for issuers that are not served at the root. */
  readonly discoveryDocuments = new Map<string, Record<string, unknown>>();
  private keys: SigningKey[] = [];
  private server?: Server;
  private port = 0;

  /**
   * Starts on a free port of 127.0.0.1, with one key (RS256 unless `alg` names another, e.g.
   * `EdDSA`), minting tokens of `provider`'s shape.
   */
  static async start(
    options: { audience?: string; provider?: ProviderShape; alg?: AsymmetricAlgorithm } = {},
  ): Promise<LocalIssuer> {
    const issuer = new LocalIssuer(options.audience ?? 'api://test', options.provider ?? 'generic');
    await issuer.addKey({ alg: options.alg });
    await issuer.listen();
    return issuer;
  }

  private constructor(
    readonly audience: string,
    readonly provider: ProviderShape,
  ) {}

  /** The issuer entry that trusts this issuer, reading claims the way `provider` shapes them. */
  issuerOptions(extra: Partial<IssuerOptions> = {}): IssuerOptions {
    return {
      issuer: this.issuer,
      audience: this.audience,
      ...providerIssuerOptions(this.provider),
      ...extra,
    };
  }

  /**
   * A token for `who`, shaped like the given provider's (default: this issuer's): e.g.
   * `mintToken({ sub: 'alice', scopes: ['notes:read'], roles: ['admin'] })`.
   */
  mintToken(
    who: TokenSubject & { provider?: ProviderShape } = {},
    options: MintOptions = {},
  ): Promise<string> {
    return this.mint(providerClaims(who.provider ?? this.provider, who), options);
  }

  /**
   * A DPoP-bound token for `who` (`cnf.jkt` of `key`, else of a new key of `algorithm`, default
   * ES256) and the key, to send with proofs: `(await issuer.mintDpop({ sub: 'alice' })).headers({
   * method: 'GET', url })`. With `certificate`, bound to that client certificate as well. A `cnf`
   * in `who.claims` replaces the binding, for tests of a mismatch.
   */
  async mintDpop(
    who: TokenSubject & { provider?: ProviderShape } = {},
    options: MintOptions & { key?: DpopKey; algorithm?: DpopAlgorithm } = {},
  ): Promise<DpopBoundToken> {
    const key = options.key ?? (await DpopKey.generate(options.algorithm));
    const cnf: Record<string, string> = { jkt: key.thumbprint };
    if (options.certificate !== undefined) {
      cnf[CERTIFICATE_CONFIRMATION] = certificateThumbprint(options.certificate);
    }
    const claims = { cnf, ...who.claims };
    return new DpopBoundToken(await this.mintToken({ ...who, claims }, options), key);
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  get currentKid(): string {
    return this.keys[0].kid;
  }

  /**
   * Adds a key that signs from now on (RS256 unless `alg` says otherwise: any asymmetric algorithm,
   * `EdDSA` on an Ed25519 key); older keys stay published unless `retire` is set.
   */
  async addKey(options: { alg?: AsymmetricAlgorithm; retire?: boolean } = {}): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const { privateKey, publicKey } = await generateKeyPairFor(alg);
    const kid = `key-${this.keys.length + 1}-${Math.random().toString(36).slice(2, 8)}`;
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } as JWK;
    const key = { kid, alg, privateKey, publicJwk };
    this.keys = options.retire ? [key] : [key, ...this.keys];
    return kid;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.map((k) => k.publicJwk), ...(this.extraJwks as JWK[])] };
  }

  /** Signs a token of this issuer: `iss`, `aud`, `sub`, `iat`, `jti`, `exp` (5 min) unless overridden. */
  async mint(claims: Record<string, unknown> = {}, options: MintOptions = {}): Promise<string> {
    const key = options.kid
      ? (this.keys.find((k) => k.kid === options.kid) ?? this.keys[0])
      : this.keys[0];
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.audience,
      sub: 'user-1',
      iat: now,
      // Unique per token, so no two mints hit the verified-token cache by accident.
      jti: randomUUID(),
      ...(options.expiresIn === null ? {} : { exp: now + (options.expiresIn ?? 300) }),
      ...(options.certificate !== undefined && {
        cnf: { [CERTIFICATE_CONFIRMATION]: certificateThumbprint(options.certificate) },
      }),
      ...claims,
    };
    const alg = options.alg ?? key.alg;
    const header = { alg, kid: options.kid ?? key.kid, typ: 'at+jwt', ...options.header };
    return this.signWith(key, alg, JSON.stringify(header), JSON.stringify(payload));
  }

  /**
   * Signs any header and payload with the current key, bypassing jose's own checks, for tokens a
   * careful library refuses to produce (unknown `crit`, odd claim types ...).
   */
  signRaw(header: Record<string, unknown>, payload: Record<string, unknown>): string {
    const key = this.keys[0];
    return this.signText(
      JSON.stringify({ alg: key.alg, kid: key.kid, ...header }),
      JSON.stringify(payload),
    );
  }

  /** Signs header and payload given as exact bytes (duplicate members, invalid UTF-8 ...). */
  signText(header: string | Buffer, payload: string | Buffer): string {
    const key = this.keys[0];
    return this.signWith(key, key.alg, header, payload);
  }

  private signWith(
    key: SigningKey,
    alg: AsymmetricAlgorithm,
    header: string | Buffer,
    payload: string | Buffer,
  ): string {
    const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
    return `${input}.${signJws(alg, key.privateKey, Buffer.from(input)).toString('base64url')}`;
  }

  /** Stops answering: connections are refused until `restart()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  close(): Promise<void> {
    return this.stop();
  }

  private listen(port = 0): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    if (path === '/.well-known/openid-configuration') this.requests.discovery += 1;
    else if (path === '/jwks') this.requests.jwks += 1;
    if (this.fault === 'hang') return;
    if (this.fault === 'http500') {
      res.writeHead(500).end('internal error');
      return;
    }
    if (this.fault === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      return;
    }
    if (this.fault === 'redirect') {
      res.writeHead(302, { location: this.redirectTo }).end();
      return;
    }
    if (this.fault === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[{"kty":"RSA","n":"');
      return;
    }
    if (this.fault === 'huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"keys":[],"padding":"${'x'.repeat(10 * 1024 * 1024)}"}`);
      return;
    }
    const body =
      path === '/.well-known/openid-configuration'
        ? { issuer: this.issuer, jwks_uri: this.jwksUri }
        : path === '/jwks'
          ? this.fault === 'no-keys'
            ? { keys: [] }
            : this.jwks()
          : this.discoveryDocuments.get(path);
    if (this.discoveryDocuments.has(path)) this.requests.discovery += 1;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
