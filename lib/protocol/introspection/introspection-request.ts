import { describeFetchFailure, IssuerFetchError, readBounded } from '../http/fetch-json.js';

/** RFC 9701 §5: the media type of a signed introspection response. */
export const INTROSPECTION_JWT_TYPE = 'application/token-introspection+jwt';

export interface IntrospectionRequest {
  endpoint: string;
  /** The form: `token`, `token_type_hint` and the client authentication members. */
  form: URLSearchParams;
  /** `Authorization: Basic ...` for client_secret_basic. */
  authorization?: string;
  /** Ask for an RFC 9701 signed response. */
  signed: boolean;
  timeoutMs: number;
  maxBytes: number;
}

/** The endpoint's answer, read in full and bounded; what it means is the caller's to judge. */
export interface IntrospectionAnswer {
  status: number;
  /** The media type, lower case, without parameters. */
  type: string;
  body: string;
  /**
   * RFC 6749 §5.2: the `error` code of a JSON error answer (`invalid_client`), when it is a plain
   * code; what tells an operator that our own credentials, not the endpoint, are at fault.
   */
  error?: string;
}

// An error answer is read for its `error` code only: a few hundred bytes at most in practice.
const ERROR_BODY_MAX_BYTES = 4096;
// Only a plain code: whatever else an endpoint puts there would end up in the operator's log.
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * POSTs an RFC 7662 introspection request. The token travels in the form body only, never in the
 * URL; a failure names the endpoint and what went wrong, never the token. Bounded in time and size;
 * redirects are not followed (a redirected POST could carry the token elsewhere).
 */
export async function postIntrospection(
  request: IntrospectionRequest,
): Promise<IntrospectionAnswer> {
  const { endpoint, timeoutMs } = request;
  const signal = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = {
    accept: request.signed ? INTROSPECTION_JWT_TYPE : 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (request.authorization) headers.authorization = request.authorization;
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers,
      body: request.form.toString(),
    });
  } catch (err) {
    throw new IssuerFetchError(
      endpoint,
      signal.aborted ? `no answer within ${timeoutMs} ms` : describeFetchFailure(err),
    );
  }
  try {
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (res.status !== 200) {
      const error = await errorCodeOf(res, endpoint, type);
      await res.body?.cancel().catch(() => undefined);
      return error === undefined
        ? { status: res.status, type, body: '' }
        : { status: res.status, type, body: '', error };
    }
    return { status: res.status, type, body: await readBounded(res, endpoint, request.maxBytes) };
  } catch (err) {
    await res.body?.cancel().catch(() => undefined);
    if (err instanceof IssuerFetchError) throw err;
    throw new IssuerFetchError(
      endpoint,
      signal.aborted ? `no answer within ${timeoutMs} ms` : describeFetchFailure(err),
    );
  }
}

// Only 4xx JSON answers carry an OAuth error; anything else, or a body too large or garbled, is
// answered by its status alone.
async function errorCodeOf(
  res: Response,
  endpoint: string,
  type: string,
): Promise<string | undefined> {
  if (res.status < 400 || res.status > 499 || type !== 'application/json') return undefined;
  try {
    const parsed: unknown = JSON.parse(await readBounded(res, endpoint, ERROR_BODY_MAX_BYTES));
    const error = (parsed as { error?: unknown } | null)?.error;
    return typeof error === 'string' && ERROR_CODE.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 6749 §2.3.1: client_secret_basic form-encodes the id and secret before base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
