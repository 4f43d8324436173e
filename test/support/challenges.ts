import { ASYMMETRIC_ALGORITHMS } from '../../lib/index.js';

/**
 * The `DPoP` challenge (RFC 9449 §7.1) a default configuration adds beside `Bearer` to every 401
 * and 400 about credentials: every asymmetric algorithm, realm `api`.
 */
export const DEFAULT_DPOP_CHALLENGE = `DPoP algs="${ASYMMETRIC_ALGORITHMS.join(' ')}", realm="api"`;
