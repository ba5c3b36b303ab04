import { DEFAULT_EMULATOR_CLIENT, DEFAULT_EMULATOR_CLIENT_NAME } from '../hover-emulator.constants';
import { EmulatorStore } from './emulator-store';

/**
 * Seeds the default world described on `HoverEmulatorOptions.seedDefaults`: the demo client, org 1
 * "Acme Roofing" (Pro, integrations, 30 jobs), org 2 "Budget Gutters" (Basic, no integrations,
 * 3 jobs), org 3 "Coastal Claims" (Pro, integrations, 12 jobs), user 1 (org 1, signed in), user 2
 * (org 2) and user 3 (org 3). Two orgs with integrations let two browsers connect two orgs side by side.
 */
export function seedDefaultWorld(store: EmulatorStore): void {
  store.registerClient({ ...DEFAULT_EMULATOR_CLIENT, name: DEFAULT_EMULATOR_CLIENT_NAME });
  store.seedOrg({ id: 1, name: 'Acme Roofing', integrations: true, planName: 'Pro' });
  store.seedOrg({ id: 2, name: 'Budget Gutters', integrations: false, planName: 'Basic' });
  store.seedOrg({ id: 3, name: 'Coastal Claims', integrations: true, planName: 'Pro' });
  store.seedUser({ id: 1, email: 'alice@acme-roofing.example', firstName: 'Alice', lastName: 'Anders', orgId: 1 });
  store.seedUser({ id: 2, email: 'bob@budget-gutters.example', firstName: 'Bob', lastName: 'Baker', orgId: 2 });
  store.seedUser({ id: 3, email: 'carol@coastal-claims.example', firstName: 'Carol', lastName: 'Chen', orgId: 3 });
  store.seedJobs(1, 30);
  store.seedJobs(2, 3);
  store.seedJobs(3, 12);
  store.setSignedInUser(1);
}
