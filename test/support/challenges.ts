/**
 * The `DPoP` challenge (RFC 9449 §7.1) a default configuration adds beside `Bearer` to every 401
 * and 400 about credentials: every asymmetric algorithm, realm `api`.
 */
export const DEFAULT_DPOP_CHALLENGE =
  'DPoP algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512", realm="api"';
