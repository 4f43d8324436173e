import { isNonceChallenge } from './dpop-session.js';
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

// The Fetch standard upper-cases these methods and sends any other as given; `htm` must be what
// goes on the wire.
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

function wireMethod(method = 'GET'): string {
  const upper = method.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

function urlOf(input: string | URL): string {
  return input instanceof URL ? input.href : new URL(input).href;
}

/**
 * A `fetch` that attaches the right downstream token. When the downstream API answers 401 the
 * token is evicted and the call retried once with a fresh one (it may have been revoked or its
 * key rotated), with the same body; a second 401 is returned as it is. A call whose body is a
 * stream is not retried, since the stream cannot be sent twice: its 401 is returned, and the next
 * call gets a fresh token.
 *
 * With a DPoP client (`TokenClient` `dpop` option) every call sends `Authorization: DPoP` and a
 * fresh proof for that method and URL; a 401 asking for a DPoP nonce (`use_dpop_nonce`) is
 * retried once with the nonce given, keeping the token, and the latest nonce of each server is
 * used in later proofs.
 */
export function authorizedFetch(
  client: TokenClient,
  options: AuthorizedFetchOptions,
): (input: string | URL, init?: RequestInit) => Promise<Response> {
  const token = () =>
    options.onBehalfOf
      ? client.getTokenOnBehalfOf(options.onBehalfOf, options)
      : client.getAppToken(options);
  const dpop = client.dpop;
  return async (input, init = {}) => {
    const url = urlOf(input);
    const send = async () => {
      const accessToken = await token();
      const headers = new Headers(init.headers);
      if (dpop) {
        headers.set('authorization', `DPoP ${accessToken}`);
        headers.set('dpop', await dpop.proof(wireMethod(init.method), url, accessToken));
      } else {
        headers.set('authorization', `Bearer ${accessToken}`);
      }
      const response = await fetch(input, { ...init, headers });
      dpop?.remember(url, response.headers);
      return { accessToken, response };
    };
    let sent = await send();
    if (sent.response.status !== 401) return sent.response;
    // A nonce challenge says nothing against the token: keep it, send again with the nonce.
    const wantsNonce = dpop !== undefined && isNonceChallenge(sent.response);
    if (isOneShot(init.body)) {
      if (!wantsNonce) client.evict(sent.accessToken);
      return sent.response;
    }
    if (wantsNonce && sent.response.headers.has('dpop-nonce')) {
      await sent.response.body?.cancel();
      sent = await send();
      if (sent.response.status !== 401) return sent.response;
    }
    client.evict(sent.accessToken);
    await sent.response.body?.cancel();
    return (await send()).response;
  };
}
