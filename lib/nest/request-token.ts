const TOKEN = Symbol('oidc-auth.token');
const RESOLUTION = Symbol('oidc-auth.key-resolution');

type Carrier = Record<symbol, unknown>;

/** The guard finds the token once; the strategy reads it from here instead of parsing again. */
export function setRequestToken(request: object, token: string): void {
  (request as Carrier)[TOKEN] = token;
}

export function requestToken(request: object): string | undefined {
  return (request as Carrier)[TOKEN] as string | undefined;
}

/** Carries the pre-verification result from the key lookup to the claim checks of one request. */
export function setRequestResolution<T>(request: object, resolution: T): void {
  (request as Carrier)[RESOLUTION] = resolution;
}

export function requestResolution<T>(request: object): T | undefined {
  return (request as Carrier)[RESOLUTION] as T | undefined;
}
