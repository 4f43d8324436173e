import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  IntrospectionClientRefusedError,
  IntrospectionUnavailableError,
  InvalidDPoPProofError,
  InvalidRequestError,
  InvalidTokenError,
  KeysUnavailableError,
  MissingTokenError,
  type OidcAuthError,
  PolicyDeniedError,
  type DPoPProofReason,
  type RefusalReason,
  ReplayStoreUnavailableError,
  RevocationsUnavailableError,
  TokenRevokedError,
  UseDPoPNonceError,
} from '../../../lib/protocol/errors/errors.js';
import { toBearerErrorResponse } from '../../../lib/protocol/bearer/rfc6750.js';
import { REPOSITORY_ROOT } from '../../support/markdown-examples.js';

const ERRORS = join(REPOSITORY_ROOT, 'lib', 'protocol', 'errors', 'errors.ts');

/**
 * Every string of the `RefusalReason` union, as the compiler resolves it (the DPoP sub-unions
 * included): the reason codes exist as a type only, so they are read from the source.
 */
function refusalReasons(): string[] {
  const program = ts.createProgram([ERRORS], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    noLib: true,
    types: [],
  });
  const source = program.getSourceFile(ERRORS)!;
  const alias = source.statements.find(
    (s): s is ts.TypeAliasDeclaration =>
      ts.isTypeAliasDeclaration(s) && s.name.text === 'RefusalReason',
  );
  if (!alias) return [];
  const type = program.getTypeChecker().getTypeAtLocation(alias.name);
  const members = type.isUnion() ? type.types : [type];
  return members.filter((t) => t.isStringLiteral()).map((t) => (t as ts.StringLiteralType).value);
}

/** One refusal of each reason, made the way the library makes it. */
function refusalOf(reason: RefusalReason): OidcAuthError {
  switch (reason) {
    case 'missing_token':
      return new MissingTokenError();
    case 'invalid_request':
      return new InvalidRequestError('x');
    case 'insufficient_scope':
    case 'insufficient_role':
      return new InsufficientScopeError(reason, ['x']);
    case 'insufficient_user_authentication':
      return new InsufficientUserAuthenticationError('x', ['mfa']);
    case 'policy_denied':
      return new PolicyDeniedError(['x']);
    case 'jwks_unavailable':
      return new KeysUnavailableError('https://idp.example.com', 5);
    case 'dpop_nonce_required':
      return new UseDPoPNonceError('nonce', 'x');
    case 'dpop_store_unavailable':
      return new ReplayStoreUnavailableError(5);
    case 'revocations_unavailable':
      return new RevocationsUnavailableError('https://idp.example.com', 5);
    case 'introspection_unavailable':
      return new IntrospectionUnavailableError('https://idp.example.com', 5, 'x');
    case 'introspection_client_refused':
      return new IntrospectionClientRefusedError('https://idp.example.com', 5, 401);
    case 'token_revoked':
      return new TokenRevokedError('session-revoked', 0);
    default:
      return reason.startsWith('dpop_proof_')
        ? new InvalidDPoPProofError(reason as DPoPProofReason, 'x')
        : new InvalidTokenError(reason as ConstructorParameters<typeof InvalidTokenError>[0], 'x');
  }
}

function page(path: string): string {
  return readFileSync(join(REPOSITORY_ROOT, 'docs', path), 'utf8');
}

/** The codes of a page's `### \`code\`` headings, with the text under each. */
function sections(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  const parts = markdown.split(/^### /m).slice(1);
  for (const part of parts) {
    const heading = /^`([a-z0-9_]+)`\s*$/m.exec(part.split('\n')[0]);
    if (heading) found.set(heading[1], part.slice(part.indexOf('\n') + 1).split(/^##? /m)[0]);
  }
  return found;
}

/** How reason-codes.md states a refusal's HTTP answer. */
function answerLine(err: OidcAuthError): string {
  const answer = toBearerErrorResponse(err);
  return answer.code === undefined
    ? `**${answer.status}**, no error code`
    : `**${answer.status}** \`${answer.code}\``;
}

describe('the reason-code pages', () => {
  const reasons = refusalReasons();
  const reference = sections(page('reference/reason-codes.md'));
  const troubleshooting = page('guides/troubleshooting.md');
  const guide = sections(troubleshooting);

  it('reads the reason codes from lib (a reader that found none would pass)', () => {
    expect(reasons.length).toBeGreaterThanOrEqual(45);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'missing_token',
        'token_expired',
        'audience_mismatch',
        'jwks_unavailable',
        'introspection_client_refused',
        'revocations_unavailable',
        'dpop_proof_replayed',
        'dpop_bound_token_as_bearer',
      ]),
    );
  });

  it('makes each refusal with its own reason', () => {
    for (const reason of reasons) expect(refusalOf(reason as RefusalReason).reason).toBe(reason);
  });

  it('documents every code in the reference, and no code that does not exist', () => {
    expect([...reference.keys()].sort()).toEqual([...reasons].sort());
  });

  it('states in the reference the status and RFC 6750 error each code is answered with', () => {
    const wrong = reasons.filter(
      (reason) => !reference.get(reason)?.includes(answerLine(refusalOf(reason as RefusalReason))),
    );
    expect(wrong).toEqual([]);
  });

  it('has a troubleshooting entry, with its anchor, for every code and no other', () => {
    expect([...guide.keys()].sort()).toEqual([...reasons].sort());
    const anchors = [...troubleshooting.matchAll(/<a id="([a-z0-9_]+)"><\/a>/g)].map((m) => m[1]);
    expect(anchors.filter((a) => reasons.includes(a)).sort()).toEqual([...reasons].sort());
  });

  it('links every reference entry to its troubleshooting entry', () => {
    const unlinked = reasons.filter(
      (reason) => !reference.get(reason)?.includes(`(../guides/troubleshooting.md#${reason})`),
    );
    expect(unlinked).toEqual([]);
  });
});
