import { ASYMMETRIC_ALGORITHMS } from '../../lib/index.js';

/**
 * The `DPoP` challenge (RFC 9449 §7.1) a default configuration adds beside `Bearer` to every 401
 * and 400 about credentials: every asymmetric algorithm, realm `api`.
 */
export const DEFAULT_DPOP_CHALLENGE = `DPoP algs="${ASYMMETRIC_ALGORITHMS.join(' ')}", realm="api"`;

/**
 * A 403 refusal as the module answers it over HTTP, with `realm="api"`: the `insufficient_scope`
 * challenge (RFC 6750 §3.1), naming `scope` when the refusal is about scopes, and the body.
 */
export function forbidden(description: string, scope?: string) {
  const scopeParameter = scope === undefined ? '' : `, scope="${scope}"`;
  return {
    status: 403,
    challenge: `Bearer realm="api", error="insufficient_scope", error_description="${description}"${scopeParameter}`,
    body: { statusCode: 403, error: 'Forbidden', message: description },
  };
}

/**
 * A refusal as the module reports it outside HTTP: the error of an RpcException or WsException, and
 * the data of a socket.io `connect_error`.
 */
export function refusalError(statusCode: number, error: string, message: string) {
  return { status: 'error', statusCode, error, message };
}
