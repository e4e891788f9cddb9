import { ADMIN_URL, TEST_DATABASE, testRunId, withClient } from './test-database';

export default async function globalTeardown(): Promise<void> {
  if (TEST_DATABASE === 'pglite') {
    await globalThis.flagdogEmbeddedDatabase?.stop();
    return;
  }
  await withClient(ADMIN_URL, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [`flagdog_test_${testRunId()}_`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
