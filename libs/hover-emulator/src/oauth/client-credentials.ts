/** Client id and secret as presented by the caller (not yet verified). */
export interface PresentedClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Extracts client credentials like Doorkeeper's default `client_credentials :from_basic, :from_params`:
 * HTTP Basic first (RFC 6749 §2.3.1; id and secret are form-urlencoded before base64, so they are
 * percent-decoded here), else `client_id` + `client_secret` body parameters.
 * @returns the credentials, or `null` when the request carries none
 */
export function readClientCredentials(params: Record<string, string>, authorization: string | undefined): PresentedClientCredentials | null {
  const basic = authorization && /^basic\s+(\S+)\s*$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  }
  if (params.client_id) return { clientId: params.client_id, clientSecret: params.client_secret ?? '' };
  return null;
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
