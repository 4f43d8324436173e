export interface ClientCredentialsRequest {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  resource?: string;
}

/** RFC 6749 §4.4: a service gets a token for itself, with HTTP Basic client authentication. */
export async function getClientCredentialsToken(
  request: ClientCredentialsRequest,
): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: request.scope });
  if (request.resource) body.set('resource', request.resource);
  const basic = Buffer.from(
    `${encodeURIComponent(request.clientId)}:${encodeURIComponent(request.clientSecret)}`,
  ).toString('base64');
  const res = await fetch(request.tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body,
  });
  const json = (await res.json()) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!res.ok || !json.access_token) {
    throw new Error(
      `Client credentials grant failed: ${json.error ?? res.status} ${json.error_description ?? ''}`.trim(),
    );
  }
  return json.access_token;
}
