import { describeFetchFailure, IssuerFetchError, readBounded } from '../http/fetch-json.js';

export interface SsfRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** The whole `Authorization` header value. */
  authorization: string;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  maxBytes: number;
  /** Ends the request early (shutdown), on top of `timeoutMs`. */
  signal?: AbortSignal;
}

/** A transmitter's answer: its status, and its body when it is JSON (`undefined` otherwise). */
export interface SsfResponse {
  status: number;
  json: unknown;
}

/**
 * One request to a transmitter's stream-management or poll endpoint. Bounded in time and size,
 * redirects not followed (the bearer token must not travel to wherever one points). Throws
 * `IssuerFetchError` when no answer came; any status is returned, for the caller to judge.
 */
export async function ssfRequest(url: string, request: SsfRequest): Promise<SsfResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: request.authorization,
  };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    throw new IssuerFetchError(
      url,
      timeout.aborted ? `no answer within ${request.timeoutMs} ms` : describeFetchFailure(err),
    );
  }
  try {
    const text = await readBounded(res, url, request.maxBytes);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  } catch (err) {
    await res.body?.cancel().catch(() => undefined);
    if (err instanceof IssuerFetchError) throw err;
    throw new IssuerFetchError(url, describeFetchFailure(err));
  }
}
