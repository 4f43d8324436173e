import type { TokenClient, TokenTarget } from './token-client.js';

export interface AuthorizedFetchOptions extends TokenTarget {
  /** Call on behalf of the user of this (verified) incoming token; otherwise as the API itself. */
  onBehalfOf?: string;
}

// fetch extracts strings, buffers, Blobs, URLSearchParams and FormData afresh for every call; a
// stream (a ReadableStream or any async iterable) is read by the first call and then gone.
function isOneShot(body: RequestInit['body']): boolean {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/**
 * A `fetch` that attaches the right downstream token. When the downstream API answers 401 the
 * token is evicted and the call retried once with a fresh one (it may have been revoked or its
 * key rotated), with the same body; a second 401 is returned as it is. A call whose body is a
 * stream is not retried, since the stream cannot be sent twice: its 401 is returned, and the next
 * call gets a fresh token.
 */
export function authorizedFetch(
  client: TokenClient,
  options: AuthorizedFetchOptions,
): (input: string | URL, init?: RequestInit) => Promise<Response> {
  const token = () =>
    options.onBehalfOf
      ? client.getTokenOnBehalfOf(options.onBehalfOf, options)
      : client.getAppToken(options);
  return async (input, init = {}) => {
    const send = async () => {
      const accessToken = await token();
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${accessToken}`);
      return { accessToken, response: await fetch(input, { ...init, headers }) };
    };
    const first = await send();
    if (first.response.status !== 401) return first.response;
    client.evict(first.accessToken);
    if (isOneShot(init.body)) return first.response;
    await first.response.body?.cancel();
    return (await send()).response;
  };
}
