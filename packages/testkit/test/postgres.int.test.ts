import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type PostgresCluster, startPostgres } from '../src/postgres';
import { type ResourceSnapshot, remainingLeaks, snapshotResources } from '../src/resources';

describe('startPostgres', () => {
  let before: ResourceSnapshot;
  let cluster: PostgresCluster | undefined;

  beforeAll(async () => {
    before = snapshotResources();
    cluster = await startPostgres();
  });

  afterAll(async () => {
    await cluster?.destroy();
    expect(await remainingLeaks(before)).toEqual([]);
  });

  test('the replica streams from the primary', async () => {
    const rows = await cluster!.primary.query<{ state: string }>('SELECT state FROM pg_stat_replication');
    expect(rows.map((row) => row.state)).toEqual(['streaming']);
    const [recovery] = await cluster!.replica.query<{ standby: boolean }>(
      'SELECT pg_is_in_recovery() AS standby',
    );
    expect(recovery?.standby).toBe(true);
  });

  test('a row written on the primary is read on the replica', async () => {
    const database = await cluster!.createDatabase();
    const marker = randomBytes(8).toString('hex');
    await cluster!.primary.query('CREATE TABLE marks (value text NOT NULL)', [], database);
    await cluster!.primary.query('INSERT INTO marks (value) VALUES ($1)', [marker], database);
    await cluster!.waitForReplay();
    const rows = await cluster!.replica.query<{ value: string }>('SELECT value FROM marks', [], database);
    expect(rows).toEqual([{ value: marker }]);
  });

  test('both servers listen on 127.0.0.1 with their unix sockets in their own temp dirs', async () => {
    const { primary, replica } = cluster!;
    expect(primary.url('reelwatch')).toBe(`postgres://postgres@127.0.0.1:${primary.port}/reelwatch`);
    expect(replica.port).not.toBe(primary.port);
    for (const server of [primary, replica]) {
      const [row] = await server.query<{ dir: string; listen: string }>(
        "SELECT current_setting('unix_socket_directories') AS dir, current_setting('listen_addresses') AS listen",
      );
      expect(row?.listen).toBe('127.0.0.1');
      expect(row?.dir).not.toMatch(/^\/var\/run/);
      expect(existsSync(`${row?.dir}/.s.PGSQL.${server.port}`)).toBe(true);
    }
  });

  test('the primary keeps its data across stop and start, and the replica catches up afterwards', async () => {
    const database = await cluster!.createDatabase();
    await cluster!.primary.query('CREATE TABLE survivors (id int PRIMARY KEY)', [], database);
    await cluster!.primary.query('INSERT INTO survivors VALUES (1)', [], database);
    await cluster!.primary.stop();
    await expect(cluster!.primary.query('SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await cluster!.primary.start();
    await cluster!.primary.query('INSERT INTO survivors VALUES (2)', [], database);
    await cluster!.waitForReplay(30_000);
    const rows = await cluster!.replica.query<{ id: number }>(
      'SELECT id FROM survivors ORDER BY id',
      [],
      database,
    );
    expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('createDatabase rejects a name that is not a plain identifier', async () => {
    await expect(cluster!.createDatabase('bad"name')).rejects.toThrow(/not a plain lower-case identifier/);
  });
});

describe('startPostgres without a replica', () => {
  test('starts a primary alone, applies extra settings, and destroy leaves nothing behind', async () => {
    const before = snapshotResources();
    const cluster = await startPostgres({ replica: false, settings: { work_mem: '8MB' } });
    try {
      const [row] = await cluster.primary.query<{ work_mem: string }>('SHOW work_mem');
      expect(row?.work_mem).toBe('8MB');
      expect(() => cluster.replica).toThrow(/replica: false/);
      expect(snapshotResources().processes.length).toBeGreaterThan(before.processes.length);
    } finally {
      await cluster.destroy();
    }
    expect(await remainingLeaks(before)).toEqual([]);
  });
});
