import { readConnectionProfile } from './hover-profile';

/** Shape of `GET /api/v2/users/profile` (developers.hover.to, "Show user profile"). */
const PROFILE = {
  id: 42,
  email: 'estimator@example.com',
  orgs: [
    { id: 100, name: 'Side org', plan: { name: 'Basic' }, feature_access: {} },
    { id: 785, name: 'Roofing Co', plan: { name: 'Pro' }, feature_access: { integrations: true, measurements: true } },
  ],
};

describe('readConnectionProfile', () => {
  it('reads a top-level profile and picks the org named by owner_id', () => {
    expect(readConnectionProfile(PROFILE, '785')).toEqual({ hoverUserId: '42', hoverOrgId: '785', hoverOrgName: 'Roofing Co', integrationsEnabled: true });
  });

  it('reads a profile wrapped in { user: … }', () => {
    expect(readConnectionProfile({ user: PROFILE }, '785')).toEqual({
      hoverUserId: '42',
      hoverOrgId: '785', hoverOrgName: 'Roofing Co',
      integrationsEnabled: true,
    });
  });

  it('uses the owner org even when it is not first, and reports its own feature_access', () => {
    expect(readConnectionProfile(PROFILE, '100')).toEqual({ hoverUserId: '42', hoverOrgId: '100', hoverOrgName: 'Side org', integrationsEnabled: false });
  });

  it('falls back to the first org without an owner_id', () => {
    expect(readConnectionProfile(PROFILE, null)).toEqual({ hoverUserId: '42', hoverOrgId: '100', hoverOrgName: 'Side org', integrationsEnabled: false });
  });

  it('falls back to the first org when owner_id matches none', () => {
    const reversed = { ...PROFILE, orgs: [...PROFILE.orgs].reverse() };
    expect(readConnectionProfile(reversed, '999')).toEqual({ hoverUserId: '42', hoverOrgId: '785', hoverOrgName: 'Roofing Co', integrationsEnabled: true });
  });

  it('reports integrations unavailable when feature_access has no integrations key', () => {
    const body = { id: 7, orgs: [{ id: 785, feature_access: { measurements: true } }] };
    expect(readConnectionProfile(body, '785').integrationsEnabled).toBe(false);
  });

  it('reports integrations unavailable when integrations is explicitly false', () => {
    const body = { id: 7, orgs: [{ id: 785, feature_access: { integrations: false } }] };
    expect(readConnectionProfile(body, '785').integrationsEnabled).toBe(false);
  });

  it('treats an integrations key with a truthy value as available', () => {
    const body = { id: 7, orgs: [{ id: 785, feature_access: { integrations: { enabled: true } } }] };
    expect(readConnectionProfile(body, '785').integrationsEnabled).toBe(true);
  });

  it('reports integrations unavailable when the org has no feature_access', () => {
    expect(readConnectionProfile({ id: 7, orgs: [{ id: 785 }] }, '785')).toEqual({
      hoverUserId: '7',
      hoverOrgId: '785', hoverOrgName: null,
      integrationsEnabled: false,
    });
  });

  it('keeps owner_id as the org and integrations unavailable when there are no orgs', () => {
    expect(readConnectionProfile({ id: 7 }, '785')).toEqual({ hoverUserId: '7', hoverOrgId: '785', hoverOrgName: null, integrationsEnabled: false });
    expect(readConnectionProfile({ id: 7, orgs: 'none' }, null)).toEqual({
      hoverUserId: '7',
      hoverOrgId: null, hoverOrgName: null,
      integrationsEnabled: false,
    });
  });

  it('reads the org name, trimmed and cut to the column size (255), and null when absent or blank', () => {
    const named = (name: unknown) => readConnectionProfile({ id: 1, orgs: [{ id: 5, name, feature_access: {} }] }, '5').hoverOrgName;
    expect(named('  Acme Roofing ')).toBe('Acme Roofing');
    expect(named('x'.repeat(300))).toHaveLength(255);
    expect(named('   ')).toBeNull();
    expect(named(42)).toBeNull();
    expect(named(undefined)).toBeNull();
  });

  it('skips org entries that are not objects', () => {
    const body = { id: 7, orgs: [null, 'x', 3, { id: 785, feature_access: { integrations: true } }] };
    expect(readConnectionProfile(body, null)).toEqual({ hoverUserId: '7', hoverOrgId: '785', hoverOrgName: null, integrationsEnabled: true });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an HTML string', '<html>Sign in</html>'],
    ['an array', [PROFILE]],
    ['a number', 42],
    ['{ user: null }', { user: null }],
  ])('tolerates a garbage body (%s): integrations unavailable, org from owner_id', (_label, body) => {
    const profile = readConnectionProfile(body, '785');
    expect(profile.integrationsEnabled).toBe(false);
    expect(profile.hoverOrgId).toBe('785');
    expect(profile.hoverUserId).toBeNull();
  });
});
