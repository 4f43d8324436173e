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
}

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
    // Error bodies are not read: they are of no use to us, and may be large.
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status, type, body: '' };
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

/** RFC 6749 §2.3.1: client_secret_basic form-encodes the id and secret before base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
