import type { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { resolveHoverAuthOptions } from '../config/resolve-hover-auth-options';
import type { HoverEventPublisher } from '../events/hover-event-publisher';
import { TEST_ENCRYPTION_KEYS } from '../testing/hover-auth-test-fixtures';
import type { HoverConnectionRepository } from '../tokens/hover-connection.repository';
import type { HoverTokenManager } from '../tokens/hover-token-manager.service';
import { HoverIntegrationsMonitor } from './hover-integrations-monitor';

/** A monitor whose profile request answers `body`; the stored flag starts as `integrationsEnabled: true`. */
function monitorAnswering(body: unknown) {
  const request = jest.fn(async () => ({ status: 200, data: body }));
  const updateIntegrations = jest.fn(async () => true);
  const emit = jest.fn();
  const noteIntegrations = jest.fn();
  const monitor = new HoverIntegrationsMonitor(
    resolveHoverAuthOptions({ clientId: 'c', clientSecret: 's', redirectUri: 'http://localhost:3000/cb', encryptionKeys: TEST_ENCRYPTION_KEYS }),
    { axiosRef: { request } } as unknown as HttpService,
    { updateIntegrations } as unknown as HoverConnectionRepository,
    {
      findConnection: async () => ({ connectionId: 'acct', status: 'active', ownerId: '7', integrationsEnabled: true }),
      noteIntegrations,
    } as unknown as HoverTokenManager,
    { emit } as unknown as HoverEventPublisher,
  );
  return { monitor, request, updateIntegrations, emit, noteIntegrations };
}

describe('HoverIntegrationsMonitor', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('stores and announces a profile whose org lost integrations', async () => {
    const { monitor, updateIntegrations, emit, noteIntegrations } = monitorAnswering({
      id: 1,
      orgs: [{ id: 7, name: 'Acme', feature_access: { measurements: true } }],
    });
    await monitor.recheck('acct', 'api_forbidden');
    expect(updateIntegrations).toHaveBeenCalledWith('acct', false, 'Acme');
    expect(noteIntegrations).toHaveBeenCalledWith('acct', false);
    expect(emit).toHaveBeenCalledWith('hover.connection.integrations_changed', expect.objectContaining({ connectionId: 'acct', hoverOrgId: '7', integrationsEnabled: false, trigger: 'api_forbidden' }));
  });

  it.each<[string, unknown]>([
    ['a maintenance page (text)', '<html>Down for maintenance</html>'],
    ['an empty body', ''],
    ['an object without orgs', { id: 1 }],
    ['an empty orgs list', { id: 1, orgs: [] }],
    ['null', null],
  ])('keeps the stored flag when the 200 answer is %s (it says nothing about the plan)', async (_name, body) => {
    const { monitor, request, updateIntegrations, emit, noteIntegrations } = monitorAnswering(body);
    await monitor.recheck('acct');
    expect(request).toHaveBeenCalledTimes(1);
    expect(updateIntegrations).not.toHaveBeenCalled();
    expect(noteIntegrations).not.toHaveBeenCalled();
    expect(emit).not.toHaveBeenCalled();
  });
});
