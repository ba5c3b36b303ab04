import type { HoverConnectionProfile } from './hover-connection.repository';

interface ProfileOrg {
  id?: unknown;
  name?: unknown;
  feature_access?: unknown;
}

/**
 * Reads what a connection needs from `GET /api/v2/users/profile` (developers.hover.to, "Show user
 * profile"): the user's id and, among `orgs[]`, the one the token belongs to (its id and name) (`owner_id` of an
 * org-level token; the first org otherwise) and whether its `feature_access` has `integrations`.
 * Tolerates the body being wrapped in `{ user: … }`.
 *
 * @param body parsed JSON of the profile response
 * @param ownerId `owner_id` of the token response, or `null`
 * @returns the profile; `integrationsEnabled` is false when no org or no `integrations` key is found
 */
export function readConnectionProfile(body: unknown, ownerId: string | null): HoverConnectionProfile {
  const root = isObject(body) && isObject(body.user) ? body.user : body;
  if (!isObject(root)) return { hoverUserId: null, hoverOrgId: ownerId, hoverOrgName: null, integrationsEnabled: false };
  const orgs: ProfileOrg[] = Array.isArray(root.orgs) ? root.orgs.filter(isObject) : [];
  const org = orgs.find((candidate) => ownerId !== null && String(candidate.id) === ownerId) ?? orgs[0];
  const featureAccess = org && isObject(org.feature_access) ? org.feature_access : {};
  return {
    hoverUserId: root.id === undefined || root.id === null ? null : String(root.id),
    hoverOrgId: org?.id === undefined || org?.id === null ? ownerId : String(org.id),
    // The column holds 255 characters; a longer name is cut rather than failing the connection.
    hoverOrgName: typeof org?.name === 'string' && org.name.trim() !== '' ? org.name.trim().slice(0, 255) : null,
    integrationsEnabled: Object.prototype.hasOwnProperty.call(featureAccess, 'integrations') && featureAccess.integrations !== false,
  };
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
