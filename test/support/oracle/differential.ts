import { isDeepStrictEqual } from 'node:util';
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { OidcAuthError } from '../../../lib/protocol/errors/errors.js';
import { IssuerRegistry } from '../../../lib/core/issuers/issuer-registry.js';
import { TokenVerifier, type VerifiedToken } from '../../../lib/core/jwt/token-verifier.js';
import { TrustedIssuer } from '../../../lib/core/issuers/trusted-issuer.js';
import { matchingRules, type StricterRuleName } from './stricter-rules.js';
import { describeView, viewOf } from './token-view.js';
import { ISS, NOW, TOLERANCE, type World } from './worlds.js';

type Outcome<T> = { accepted: true; value: T } | { accepted: false; error: unknown };

/** Both verifiers for one world, configured alike. */
export interface Contestants {
  world: World;
  ours: TokenVerifier;
  /** jose's key: the world's key set, or an HMAC issuer's secret. */
  keys: JWTVerifyGetKey | Uint8Array;
  options: JWTVerifyOptions;
}

/** Our verifier built as the module builds it (TrustedIssuer + IssuerRegistry), and jose's. */
export function contestants(world: World): Contestants {
  const issuer = new TrustedIssuer(
    {
      issuer: ISS,
      audience: world.audience,
      ...(world.secret ? { secret: world.secret } : { jwks: world.jwks }),
      algorithms: world.algorithms,
      typ: world.typ,
    },
    'issuers[0]',
  );
  const ours = new TokenVerifier(new IssuerRegistry([issuer]), {
    clockToleranceSeconds: TOLERANCE,
    now: () => NOW * 1000,
  });
  return {
    world,
    ours,
    keys: world.secret
      ? new Uint8Array(world.secret)
      : createLocalJWKSet(world.jwks as Parameters<typeof createLocalJWKSet>[0]),
    options: {
      issuer: ISS,
      audience: world.audience || undefined,
      algorithms: [...issuer.algorithms],
      clockTolerance: TOLERANCE,
      currentDate: new Date(NOW * 1000),
      requiredClaims: ['exp'],
      typ: world.typ,
    },
  };
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { accepted: true, value: await run() };
  } catch (error) {
    return { accepted: false, error };
  }
}

function describeError(error: unknown): string {
  if (error instanceof OidcAuthError) return `refused ${error.reason}: ${error.message}`;
  const e = error as { code?: string; message?: string; stack?: string };
  return `refused ${e.code ?? 'error'}: ${e.message}`;
}

/** RFC 7519 §4.1.3: a string is one audience, spaces and all; an array lists them. */
function audienceOf(aud: unknown): unknown[] {
  if (aud === undefined) return [];
  return Array.isArray(aud) ? aud : [aud];
}

function disagreement(ours: VerifiedToken, payload: Record<string, unknown>): string | undefined {
  const { principal } = ours;
  if (!isDeepStrictEqual({ ...principal.claims }, { ...payload })) return 'claims differ';
  if (principal.issuer !== payload.iss) return 'issuer differs';
  if (principal.subject !== payload.sub) return 'subject differs';
  if (!isDeepStrictEqual([...principal.audience], audienceOf(payload.aud)))
    return 'audience differs';
  // A Date holds whole milliseconds (ECMAScript TimeClip truncates): exp 1.0005 s is 1000 ms.
  if (principal.expiresAt.getTime() !== Math.trunc((payload.exp as number) * 1000)) {
    return `expiresAt ${principal.expiresAt.getTime()} differs from exp ${String(payload.exp)} s`;
  }
  return undefined;
}

// Not the principal's toJSON: an unrepresentable expiry must show up in the report, not throw.
function describePrincipal({ principal }: VerifiedToken): string {
  const { subject, issuer, audience, expiresAt } = principal;
  return JSON.stringify({ subject, issuer, audience, expiresAtMs: expiresAt.getTime() });
}

function reasonOf(result: Outcome<unknown>): string | undefined {
  return !result.accepted && result.error instanceof OidcAuthError
    ? result.error.reason
    : undefined;
}

/**
 * The guard's synchronous path must judge like `verify` once keys are in memory. It may defer
 * (`undefined`) only where `verify` needed the set again: no key under that kid fits.
 */
function syncDisagreement(
  ours: Outcome<VerifiedToken>,
  now: Outcome<VerifiedToken | undefined>,
): string | undefined {
  if (now.accepted && now.value === undefined) {
    const reason = reasonOf(ours);
    return reason === 'unknown_kid' || reason === 'key_mismatch'
      ? undefined
      : `verifyNow deferred a token verify ${ours.accepted ? 'accepted' : `refused (${reason})`}`;
  }
  if (ours.accepted !== now.accepted) return 'verifyNow and verify disagree';
  if (ours.accepted && now.accepted) {
    return isDeepStrictEqual(ours.value.principal.claims, now.value!.principal.claims)
      ? undefined
      : 'verifyNow and verify return different claims';
  }
  return reasonOf(ours) === reasonOf(now) ? undefined : 'verifyNow and verify refuse differently';
}

/** What one case showed: the difference, if any, and the stricter rules that explain a refusal. */
export interface Verdict {
  failure?: string;
  /** The rules that explain our refusal of a token jose accepted. */
  explainedBy?: StricterRuleName[];
  /** The algorithm of a token both accepted. */
  acceptedAlgorithm?: string;
}

/**
 * Verifies one token with both and compares:
 * (a) jose refuses => we refuse; (b) both accept => the same claims, issuer, subject, audience and
 * expiry; (c) we refuse while jose accepts => a named stricter rule applies; (d) a stricter rule
 * applies => we refuse; our refusals are always OidcAuthErrors, never a crash; and `verifyNow`
 * (the guard's path) judges as `verify` does.
 */
export async function judge(c: Contestants, token: string): Promise<Verdict> {
  const ours = await outcome(() => c.ours.verify(token));
  const { keys } = c;
  const jose = await outcome(() =>
    keys instanceof Uint8Array
      ? jwtVerify(token, keys, c.options)
      : jwtVerify(token, keys, c.options),
  );
  const now = await outcome(async () => c.ours.verifyNow(token));
  const view = viewOf(token);
  const rules = matchingRules(view);
  const fail = (what: string): Verdict => ({
    failure: [
      `${what} (world: ${c.world.name})`,
      describeView(view),
      `ours:    ${ours.accepted ? `accepted ${describePrincipal(ours.value)}` : describeError(ours.error)}`,
      `jose:    ${jose.accepted ? `accepted ${JSON.stringify(jose.value.payload)}` : describeError(jose.error)}`,
      `stricter rules that apply: ${rules.join(', ') || '(none)'}`,
    ].join('\n'),
  });
  if (!ours.accepted && !(ours.error instanceof OidcAuthError)) {
    return fail('our verifier crashed instead of refusing');
  }
  const sync = syncDisagreement(ours, now);
  if (sync) return fail(sync);
  if (ours.accepted) {
    if (!jose.accepted) return fail('jose refuses a token we accept');
    if (rules.length > 0) return fail(`we accept a token a stricter rule refuses (${rules[0]})`);
    const difference = disagreement(ours.value, jose.value.payload as Record<string, unknown>);
    return difference
      ? fail(`both accept, but ${difference}`)
      : { acceptedAlgorithm: ours.value.algorithm };
  }
  if (jose.accepted) {
    return rules.length > 0
      ? { explainedBy: rules }
      : fail('we refuse a token jose accepts, and no stricter rule explains it');
  }
  return {};
}
