/**
 * A reconnect that lands on another Hover org than the stored one (option `reconnectToDifferentOrg`):
 * `accept` (default) replaces it and tells the browser (`hover_notice`), `refuse` keeps the stored
 * connection byte for byte and fails with `hover_error=different_org`. Against the emulator, on SQLite.
 */
import { HoverEmulator } from '@hover-auth/emulator';
import { DataSource } from 'typeorm';
import { startHoverHostApp, type HoverHostApp } from './support/hover-host-app';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

const CLIENT = { clientId: 'different-org-client', clientSecret: 'different-org-client-secret' };

describe('reconnect to a different Hover org', () => {
  let emulator: HoverEmulator;
  const databases: TestDatabase[] = [];
  const apps: HoverHostApp[] = [];

  async function start(hover: Record<string, unknown>): Promise<HoverHostApp> {
    const database = createSqliteDatabase();
    databases.push(database);
    const app = await startHoverHostApp({ database: database.options, emulator, client: CLIENT, hover });
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    emulator.seedOrg({ id: 41, name: 'Other Roofing' });
    emulator.seedUser({ id: 41, email: 'olga@other.example', firstName: 'Olga', lastName: 'Other', orgId: 41 });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const database of databases) await database.drop();
    await emulator?.stop();
  });

  it('accept (default): the new org replaces the old one and the success redirect carries the notice', async () => {
    const app = await start({ successRedirect: '/done?tab=hover' });
    expect(await app.connect('user:1', 1)).toMatchObject({ status: 302, location: '/done?tab=hover' });
    const again = await app.connect('user:1', 41);
    expect(again).toMatchObject({ status: 302, location: '/done?tab=hover&hover_notice=reconnected_to_different_org' });
    expect(await app.stored('user:1')).toMatchObject({ status: 'active', hoverOrgId: '41', hoverOrgName: 'Other Roofing' });
    // The same org again is a plain reconnect: no notice.
    expect(await app.connect('user:1', 41)).toMatchObject({ location: '/done?tab=hover' });
  });

  it('refuse: the stored connection is kept unchanged and the flow fails with different_org', async () => {
    const app = await start({ reconnectToDifferentOrg: 'refuse', failureRedirect: '/settings' });
    await app.connect('user:2', 1);
    const before = await app.stored('user:2');
    const exchangesBefore = emulator.tokenRequestCount('authorization_code');
    const refused = await app.connect('user:2', 41);
    expect(refused).toMatchObject({ status: 302, location: '/settings?hover_error=different_org' });
    expect(emulator.tokenRequestCount('authorization_code')).toBe(exchangesBefore + 1);
    const after = await app.stored('user:2');
    expect(after).toEqual(before);
    expect(after).toMatchObject({ hoverOrgId: '1', status: 'active' });
    // The kept tokens still work: the guard lets the user through.
    expect((await app.guarded('user:2')).status).toBe(200);
    // A first connection of any org is not a "different org".
    expect(await app.connect('user:3', 41)).toMatchObject({ location: '/' });
  });

  it('refuse: a stored connection whose org Hover never named is not a different org (nothing to compare)', async () => {
    const app = await start({ reconnectToDifferentOrg: 'refuse' });
    await app.connect('user:4', 1);
    await app.app.get(DataSource).query("UPDATE hover_connections SET hover_org_id = NULL WHERE connection_id = 'user:4'");
    expect(await app.connect('user:4', 41)).toMatchObject({ status: 302, location: '/' });
    expect(await app.stored('user:4')).toMatchObject({ hoverOrgId: '41' });
  });
});
