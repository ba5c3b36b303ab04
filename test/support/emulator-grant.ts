import type { HoverTokenSet } from '../../libs/hover-auth/src/token-endpoint/hover-token-set';
import type { HoverConnectionRepository } from '../../libs/hover-auth/src/testing/internals';

export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/**
 * Gets a grant from the emulator the way a browser and the callback would (Allow on the consent form,
 * then the authorization code exchange), and stores it as connection `connectionId`.
 */
export async function connectThroughEmulator(
  baseUrl: string,
  client: EmulatorClient,
  connections: HoverConnectionRepository,
  connectionId = 'default',
): Promise<void> {
  const allow = await fetch(`${baseUrl}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: client.redirectUri, state: 'x', decision: 'allow' }),
  });
  const code = new URL(allow.headers.get('location') ?? 'x:').searchParams.get('code');
  if (!code) throw new Error(`consent did not redirect with a code (HTTP ${allow.status})`);
  const receivedAt = Date.now();
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', code, client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: client.redirectUri }),
  });
  const token = (await response.json()) as Record<string, any>;
  if (response.status !== 200) throw new Error(`code exchange failed (HTTP ${response.status}, ${token.error})`);
  await connections.saveAuthorizedConnection(
    connectionId,
    {
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessTokenIssuedAt: receivedAt,
      accessTokenExpiresAt: receivedAt + token.expires_in * 1000,
      scope: token.scope,
      ownerId: String(token.owner_id),
      ownerType: token.owner_type,
    },
    { hoverUserId: '1', hoverOrgId: String(token.owner_id), hoverOrgName: null, integrationsEnabled: true },
  );
}

/** A token set as the token endpoint client returns it: received now, valid for 2 hours. */
export function tokenSetFor(accessToken: string, refreshToken: string): HoverTokenSet {
  const now = Date.now();
  return { accessToken, refreshToken, accessTokenIssuedAt: now, accessTokenExpiresAt: now + 7_200_000, scope: 'all', ownerId: '1', ownerType: 'orgs' };
}
