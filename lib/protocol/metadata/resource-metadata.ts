const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** A `protectedResource.resource` that is not a URL; reported at startup. */
export class InvalidResourceError extends Error {
  constructor(resource: string) {
    super(`must be a URL, got ${JSON.stringify(resource)}`);
  }
}

/** Where RFC 9728 §3.1 puts the metadata of a resource: the well-known prefix before its path. */
export function protectedResourceMetadataPath(resource: string): string {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new InvalidResourceError(resource);
  }
  return `${WELL_KNOWN}${url.pathname.replace(/\/+$/, '')}`;
}

export function protectedResourceMetadataUrl(resource: string): string {
  return new URL(protectedResourceMetadataPath(resource), resource).href;
}
