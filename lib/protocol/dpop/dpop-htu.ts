const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// RFC 9110 §7.2 Host: a DNS name or IPv4 address, or a bracketed IPv6 address, and a port.
const HOST = /^(?:[A-Za-z0-9\-._~]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The form in which a DPoP proof's `htu` and the request URI are compared (RFC 9449 §4.3): an
 * absolute http(s) (or ws(s), read as http(s)) URI without query and fragment, normalised per RFC 3986 §6.2.2 (case of scheme,
 * host and percent-encodings, unreserved characters decoded, dot segments removed) and §6.2.3
 * (default port dropped, empty path as `/`). `undefined` for anything that is not such a URI.
 */
export function normalizeHtu(uri: string): string | undefined {
  if (!/^(?:https?|wss?):\/\/[^/?#]/i.test(uri) || /[\s\\]/.test(uri)) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const path = removeDotSegments(
    url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
      const char = String.fromCharCode(parseInt(hex, 16));
      return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
    }),
  );
  // A WebSocket is opened by an HTTP GET to the same place (RFC 6455 §3): one resource, two spellings.
  const scheme =
    url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
  return `${scheme}//${url.host}${path}`;
}

/**
 * RFC 3986 §5.2.4 on an absolute path, after percent-decoding (so `%2E` counts as `.`). The URL
 * parser removes dot segments too, but Node 20's leaves some (`/a/.-/.`) in place.
 */
function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const kept: string[] = [];
  for (let i = 1; i < segments.length; i += 1) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') kept.pop();
      // A trailing dot segment leaves the path ending in `/`.
      if (last) kept.push('');
    } else {
      kept.push(segment);
    }
  }
  return `/${kept.join('/')}`;
}

/** Where a request was sent, as the server learned it: scheme, `Host`, request target. */
export interface RequestTarget {
  /** `http` or `https`. */
  protocol: string | undefined;
  /** The `Host` header (or what a trusted proxy forwarded instead). */
  host: string | undefined;
  /** The request target as received: `/path?query`. */
  target: string | undefined;
}

/**
 * The normalised URI a request was sent to, to compare with a proof's `htu`; `undefined` when the
 * request does not say it clearly (no or several `Host` values, an absolute-form or `*` target, a
 * scheme other than http(s)), which no proof can match.
 */
export function requestHtu({ protocol, host, target }: RequestTarget): string | undefined {
  if (protocol !== 'http' && protocol !== 'https') return undefined;
  if (host === undefined || !HOST.test(host)) return undefined;
  if (target === undefined || target[0] !== '/') return undefined;
  const query = target.indexOf('?');
  return normalizeHtu(`${protocol}://${host}${query === -1 ? target : target.slice(0, query)}`);
}
