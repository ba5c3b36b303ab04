import { DEFAULT_EMULATOR_CLIENT, DEFAULT_EMULATOR_CLIENT_NAME } from '../hover-emulator.constants';
import { EmulatorStore } from './emulator-store';

/**
 * Seeds the default world described on `HoverEmulatorOptions.seedDefaults`: the demo client, org 1
 * "Acme Roofing" (Pro, integrations, 30 jobs), org 2 "Budget Gutters" (Basic, no integrations,
 * 3 jobs), user 1 (org 1, signed in) and user 2 (org 2).
 */
export function seedDefaultWorld(store: EmulatorStore): void {
  store.registerClient({ ...DEFAULT_EMULATOR_CLIENT, name: DEFAULT_EMULATOR_CLIENT_NAME });
  store.seedOrg({ id: 1, name: 'Acme Roofing', integrations: true, planName: 'Pro' });
  store.seedOrg({ id: 2, name: 'Budget Gutters', integrations: false, planName: 'Basic' });
  store.seedUser({ id: 1, email: 'alice@acme-roofing.example', firstName: 'Alice', lastName: 'Anders', orgId: 1 });
  store.seedUser({ id: 2, email: 'bob@budget-gutters.example', firstName: 'Bob', lastName: 'Baker', orgId: 2 });
  store.seedJobs(1, 30);
  store.seedJobs(2, 3);
  store.setSignedInUser(1);
}
