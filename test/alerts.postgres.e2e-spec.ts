import { createHmac } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { AlertReceiver } from './support/alert-receiver';
import { FLAG, setUpPhase1 } from './support/runbook';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, startInstance } from './support/test-app';
import { createTestDatabase, TestDatabase, withClient } from './support/test-database';

const SECRET = 'alert-webhook-secret-for-tests';

/** Two instances on one PostgreSQL database share one outbox: each alert reaches the receiver once. */
describe('alerts out with two instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let receiver: AlertReceiver;
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // A slow receiver that fails the first attempts widens every window for a double send.
    receiver = await AlertReceiver.start({ failFirst: 3, delayMs: 30 });
    const env = { ALERT_WEBHOOK_URL: receiver.url, ALERT_WEBHOOK_SECRET: SECRET };
    for (const _ of [1, 2]) apps.push((await startInstance(database, env)).app);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await receiver?.close();
    await database?.drop();
  });

  it('delivers each alert exactly once however the instances race for the outbox', async () => {
    const [a, b] = apps.map((app) => request(app.getHttpServer()));
    const admin = await login(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    await setUpPhase1(a, admin);
    await a
      .put(`/api/admin/feature-flags/${FLAG}`)
      .auth(admin, { type: 'bearer' })
      .send({ enabled: true, rolloutPercentage: 5 })
      .expect(200);

    // 20 FAIL checkpoints, half on each instance, all at once: 20 alerts, both workers kicked.
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? b : a)
          .post(`/api/admin/beta-monitor/${FLAG}/run`)
          .auth(admin, { type: 'bearer' })
          .send({ phase: 'phase1_beta', label: `race-${i}` })
          .expect(201),
      ),
    );
    const checkpointIds = runs.map((response) => response.body.id as string);
    expect(runs.every((response) => response.body.status === 'FAIL')).toBe(true);

    for (const id of checkpointIds) await receiver.waitFor(id);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const acknowledged = receiver.acknowledged();
    expect(acknowledged).toHaveLength(20);
    expect(new Set(acknowledged.map((delivery) => delivery.payload.id))).toEqual(new Set(checkpointIds));
    expect([...receiver.acknowledgedPerDelivery().values()].every((count) => count === 1)).toBe(true);
    for (const delivery of acknowledged) {
      expect(delivery.signature).toBe(createHmac('sha256', SECRET).update(delivery.rawBody).digest('hex'));
    }
    // Every attempt, failed or not, went to one sender at a time: attempts in the table = requests seen.
    const outbox = await withClient(
      database.url,
      async (client) =>
        (
          await client.query(
            `SELECT count(*)::int AS rows, sum(attempts)::int AS attempts, count(delivered_at)::int AS delivered FROM alert_outbox`,
          )
        ).rows[0],
    );
    expect(outbox).toEqual({ rows: 20, attempts: receiver.requests.length, delivered: 20 });
  });
});
