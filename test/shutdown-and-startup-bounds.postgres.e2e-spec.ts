import { DataSource } from 'typeorm';
import { buildDataSourceOptions, inStartupTransaction } from 'src/database/data-source-options';
import { startInstance } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TcpProxy } from './support/tcp-proxy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Start-up reads get a longer bound than requests (several instances starting on a loaded
 * machine), and close() ends everything the app started even while the database is
 * black-holed: no reconnect, no timer, no socket outlives it.
 */
describe('start-up bounds and a clean close', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('bounds a request query at DATABASE_TIMEOUT_MS, but lets start-up work take longer', async () => {
    const dataSource = new DataSource(buildDataSourceOptions(database.url, 2, { ms: 300 }));
    await dataSource.initialize();
    try {
      await expect(dataSource.query('SELECT pg_sleep(0.8)')).rejects.toThrow(/timeout|canceling statement/i);
      // The connection that timed out is dropped; let the pool notice before the next query.
      await sleep(200);
      const slept = await inStartupTransaction(dataSource, 5000, (manager) =>
        manager.query(`SELECT pg_sleep(0.8), 'done' AS result`),
      );
      expect(slept[0].result).toBe('done');
      // Outside the start-up work the short bound applies again.
      await expect(dataSource.query('SELECT pg_sleep(0.8)')).rejects.toThrow(/timeout|canceling statement/i);
    } finally {
      await dataSource.destroy();
    }
  });

  it('closes within seconds while the database is black-holed, and nothing reconnects afterwards', async () => {
    const proxy = await TcpProxy.start(database.url);
    try {
      const { app } = await startInstance(
        { url: proxy.urlFor(database.url), drop: async () => undefined },
        { DATABASE_TIMEOUT_MS: '500' },
      );
      // Drop every connection (the LISTEN connection starts reconnecting with back-off), then
      // let new connections in but answer nothing.
      proxy.cut();
      await sleep(300);
      proxy.restore();
      proxy.blackHole();
      await sleep(1500);

      const started = Date.now();
      await app.close();
      expect(Date.now() - started).toBeLessThan(5000);

      const attemptsAtClose = proxy.attempts;
      // Longer than the longest LISTEN back-off (5 s): a surviving timer would connect again.
      await sleep(6000);
      expect(proxy.attempts).toBe(attemptsAtClose);
      expect(proxy.openSockets).toBe(0);
    } finally {
      proxy.restore();
      await proxy.close();
    }
  });
});
