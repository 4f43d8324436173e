import type { KeyObject } from 'node:crypto';
import type { Algorithm } from '../jose/algorithms.js';
import type { Introspector } from './introspector.js';

/** How this API authenticates itself to the introspection endpoint, and what it asks for. */
export interface IntrospectionOptions {
  /** This API's client id at the authorization server. Required unless `introspector` is given. */
  clientId?: string;
  /** The client secret: `client_secret_basic` unless `clientAuthentication` says `client_secret_post`. */
  clientSecret?: string;
  /** private_key_jwt (RFC 7523): a signed assertion, valid one minute, instead of a secret. */
  clientAssertion?: {
    /** The private key the assertion is signed with (a `KeyObject` or PEM). */
    privateKey: KeyObject | string;
    /** Default: RS256 for RSA keys, ES256/384/512 for EC keys by their curve. */
    algorithm?: Algorithm;
    /** The `kid` header of the assertion, naming the key registered at the authorization server. */
    kid?: string;
    /** The assertion's `aud`. Default: the issuer identifier (some servers want the endpoint URL). */
    audience?: string;
  };
  /**
   * Default: `client_secret_basic` with `clientSecret`, `private_key_jwt` with `clientAssertion`.
   * `none` sends only `client_id` (servers that let public clients introspect, or a network
   * boundary instead of credentials): it must be said explicitly.
   */
  clientAuthentication?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** Skips discovery: the introspection endpoint. Default: the metadata's `introspection_endpoint`. */
  endpoint?: string;
  /**
   * RFC 9701: ask for a signed JWT response (`Accept: application/token-introspection+jwt`) and
   * accept nothing else; it is verified with the issuer's key set. Default false.
   */
  signedResponse?: boolean;
  /** Also introspect JWTs after their local verification, so revoked ones are refused. Default false. */
  introspectJwts?: boolean;
  /**
   * Only opaque tokens starting with one of these go to this issuer (e.g. `ory_at_`, `ya29.`):
   * with several introspecting issuers, a token then reaches only its own issuer.
   */
  tokenPrefixes?: readonly string[];
  /** Longest wait for the endpoint (ms) before the request is answered 503. Default 3000. */
  timeoutMs?: number;
  /** Largest response accepted (bytes). Default 64 KiB. */
  maxBytes?: number;
  /** How long an active result is reused (ms), never beyond the token's `exp`. Default 60000. */
  maxAgeMs?: number;
  /** How long an inactive result is reused (ms). Default 10000. */
  inactiveMaxAgeMs?: number;
  /**
   * Another way to ask, instead of the RFC 7662 request (e.g. an adapter over Google's token-info
   * endpoint). Its answer is checked and cached like an RFC 7662 one.
   */
  introspector?: Introspector;
}
