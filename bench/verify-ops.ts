import { createPublicKey, hash, type KeyObject, verify } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { importJWK, jwtVerify } from 'jose';
import { TokenVerifier } from '../lib/index.js';
import { createTokenVerifier } from '../lib/nest/authentication/token-verifier.provider.js';
import { LocalIssuer } from '../lib/testing/index.js';
import { extractBearerToken } from '../lib/protocol/bearer/bearer-token.js';
import { decodeUnverified } from '../lib/core/jose/jwt-parts.js';

export interface OpsResult {
  name: string;
  opsPerSecond: number;
}

async function measure(
  name: string,
  tokens: string[],
  fn: (token: string) => unknown,
): Promise<OpsResult> {
  // A verifier that answers nothing (no key loaded, say) would look infinitely fast.
  for (let i = 0; i < 200; i += 1) {
    if (!(await fn(tokens[i % tokens.length]))) throw new Error(`${name} did not verify`);
  }
  const durationMs = 1500;
  let ops = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    for (let i = 0; i < 100; i += 1) await fn(tokens[ops++ % tokens.length]);
  }
  return { name, opsPerSecond: Math.round((ops * 1000) / (performance.now() - started)) };
}

/** Verifications per second on one core, from the bare signature check up to full libraries. */
export async function verificationOps(
  tokens: string[],
  jwk: Record<string, unknown>,
  verifier: TokenVerifier,
  issuer: string,
  audience: string,
): Promise<OpsResult[]> {
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  const joseKey = await importJWK(jwk as never, 'RS256');
  return [
    await measure('node:crypto RS256 verify (the limit)', tokens, (token) => {
      const dot = token.lastIndexOf('.');
      return verify(
        'sha256',
        Buffer.from(token.slice(0, dot)),
        key,
        Buffer.from(token.slice(dot + 1), 'base64url'),
      );
    }),
    await measure('nest-oidc-auth TokenVerifier.verifyNow (all checks)', tokens, (token) =>
      verifier.verifyNow(token),
    ),
    await measure('jsonwebtoken.verify', tokens, (token) =>
      jwt.verify(token, key, { algorithms: ['RS256'], audience, issuer }),
    ),
    await measure('jose.jwtVerify', tokens, (token) =>
      jwtVerify(token, joseKey, { audience, issuer }),
    ),
  ];
}

/**
 * What a cold request costs the guard besides the signature check, piece by piece (one core):
 * the figures that explain the gap between `guard-cold` and `raw-verify`.
 */
export async function coldPathPieces(tokens: string[]): Promise<OpsResult[]> {
  const headers = tokens.map((token) => `Bearer ${token}`);
  let next = 0;
  const header = () => headers[next++ % headers.length];
  return [
    await measure('Authorization header to token (RFC 6750 syntax)', tokens, () =>
      extractBearerToken({ authorization: header(), query: undefined, allowQuery: false }),
    ),
    await measure('strict decode of header and payload (base64url, UTF-8, JSON)', tokens, (token) =>
      decodeUnverified(token),
    ),
    await measure('SHA-256 of the token (verified-token cache key)', tokens, (token) =>
      hash('sha256', token, 'base64url'),
    ),
  ];
}

function medianOf(results: OpsResult[]): OpsResult {
  return [...results].sort((a, b) => a.opsPerSecond - b.opsPerSecond)[results.length >> 1];
}

/** The algorithms whose cold path is compared, each with one raw node:crypto check of a token. */
const RAW_CHECKS = {
  RS256: (input: Buffer, key: KeyObject, signature: Buffer) =>
    verify('sha256', input, key, signature),
  ES256: (input: Buffer, key: KeyObject, signature: Buffer) =>
    verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature),
  // EdDSA on an Ed25519 key, as providers sign it (RFC 9864's Ed25519 costs the same).
  EdDSA: (input: Buffer, key: KeyObject, signature: Buffer) => verify(null, input, key, signature),
};

export interface AlgorithmColdPath {
  algorithm: keyof typeof RAW_CHECKS;
  /** One node:crypto signature check per token: the limit. */
  raw: OpsResult;
  /** `TokenVerifier.verifyNow`, every check, on tokens it has not seen (no verified-token cache). */
  verifier: OpsResult;
}

/**
 * The cold path per signature algorithm, in process on one core: the verifier's whole check of
 * tokens it has never seen, against a raw node:crypto verify of the same tokens, so that each
 * algorithm's overhead is a ratio in the same run. Each algorithm has its own local issuer.
 */
export async function coldPathByAlgorithm(count: number): Promise<AlgorithmColdPath[]> {
  const results: AlgorithmColdPath[] = [];
  for (const algorithm of Object.keys(RAW_CHECKS) as Array<keyof typeof RAW_CHECKS>) {
    const issuer = await LocalIssuer.start({ audience: 'api://bench', alg: algorithm });
    try {
      const tokens: string[] = [];
      for (let i = 0; i < count; i += 1) {
        tokens.push(await issuer.mint({ scope: 'notes:read' }, { expiresIn: 3600 }));
      }
      const key = createPublicKey({ key: issuer.jwks().keys[0] as never, format: 'jwk' });
      const check = RAW_CHECKS[algorithm];
      const verifier = createTokenVerifier(
        { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] },
        null,
      );
      await verifier.verify(tokens[0]);
      // Alternating rounds, the median of each: on a shared machine the load drifts, and the
      // ratio must compare the two under the same load.
      const raw: OpsResult[] = [];
      const full: OpsResult[] = [];
      for (let round = 0; round < 3; round += 1) {
        raw.push(
          await measure(`node:crypto ${algorithm} verify`, tokens, (token) => {
            const dot = token.lastIndexOf('.');
            return check(
              Buffer.from(token.slice(0, dot)),
              key,
              Buffer.from(token.slice(dot + 1), 'base64url'),
            );
          }),
        );
        full.push(
          await measure(`TokenVerifier.verifyNow ${algorithm}`, tokens, (token) =>
            verifier.verifyNow(token),
          ),
        );
      }
      results.push({ algorithm, raw: medianOf(raw), verifier: medianOf(full) });
    } finally {
      await issuer.close();
    }
  }
  return results;
}
