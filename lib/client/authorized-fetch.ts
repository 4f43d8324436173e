import type { TokenClient, TokenTarget } from './token-client.js';

export interface AuthorizedFetchOptions extends TokenTarget {
  /** Call on behalf of the user of this (verified) incoming token; otherwise as the API itself. */
  onBehalfOf?: string;
}

/**
 * A `fetch` that attaches the right downstream token. When the downstream API answers 401 the
 * token is evicted and the call retried once with a fresh one (it may have been revoked or its
 * key rotated); a second 401 is returned as it is.
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
    await first.response.body?.cancel();
    client.evict(first.accessToken);
    return (await send()).response;
  };
}
