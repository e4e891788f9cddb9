import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AlertOutboxService } from 'src/beta-monitor/alert-outbox.service';
import { AlertReceiver } from './support/alert-receiver';
import { FLAG, setUpPhase1 } from './support/runbook';
import { startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs } from './support/acting-as';

const SECRET = 'alert-webhook-secret-for-tests';
type Checkpoint = { id: string; status: string; label: string };

/** Alerts out (docs/beta-monitor-checks.md, docs/alerts.md): outbox written with the checkpoint, delivered signed, retried, once. */
describe('alerts out: the webhook of the beta monitor dog', () => {
  let receiver: AlertReceiver;
  let t: TestApp;
  let as: ActingAs;
  let admin: string;
  let database: DataSource;

  beforeAll(async () => {
    // The first two attempts fail: the first alert is only delivered by the outbox's retries.
    receiver = await AlertReceiver.start({ failFirst: 2 });
    t = await startTestApp({ env: { ALERT_WEBHOOK_URL: receiver.url, ALERT_WEBHOOK_SECRET: SECRET } });
    as = await actingAs(t);
    admin = await t.tokenFor('SUPER_ADMIN');
    database = t.app.get(DataSource);
    await setUpPhase1(t.http, admin);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const run = async (): Promise<Checkpoint> =>
    (await as('OPERATOR').post(`/api/admin/beta-monitor/${FLAG}/run`).send({ phase: 'phase1_beta' }).expect(201)).body;
  const setRollout = (rolloutPercentage: number) =>
    as('SUPER_ADMIN').put(`/api/admin/feature-flags/${FLAG}`).send({ enabled: true, rolloutPercentage }).expect(200);
  const outboxRow = async (checkpointId: string) =>
    (await database.query(`SELECT * FROM alert_outbox WHERE checkpoint_id = $1`, [checkpointId]))[0] as
      { id: string; attempts: number; delivered_at: Date | null; last_error: string | null } | undefined;

  it('stays silent on a first PASS (a first checkpoint compares with PASS)', async () => {
    const checkpoint = await run();
    expect(checkpoint.status).toBe('PASS');
    expect(await outboxRow(checkpoint.id)).toBeUndefined();
  });

  it('delivers a FAIL once, signed, after two failed attempts', async () => {
    await setRollout(5);
    const checkpoint = await run();
    expect(checkpoint.status).toBe('FAIL');
    const delivery = await receiver.waitFor(checkpoint.id);

    expect(delivery.signature).toBe(createHmac('sha256', SECRET).update(delivery.rawBody).digest('hex'));
    expect(delivery.headers['content-type']).toContain('application/json');
    expect(delivery.payload).toMatchObject({
      id: checkpoint.id,
      label: checkpoint.label,
      featureKey: FLAG,
      phase: 'phase1_beta',
      status: 'FAIL',
      health: 'RED',
      previousStatus: 'PASS',
      reason: 'FAIL',
      severity: 'P1',
      alerts: ['CONFIG_DRIFT'],
      checkpointUrl: `/api/admin/beta-monitor/${FLAG}/checkpoints/${checkpoint.id}`,
    });
    expect(delivery.payload.text).toBe(
      `:large_orange_circle: P1 ${FLAG} phase1_beta FAIL (was PASS) — CONFIG_DRIFT (checkpoint ${checkpoint.label})`,
    );
    // Same delivery id on every attempt: 500, 500, then 200.
    const attempts = receiver.requests.filter((request) => request.deliveryId === delivery.deliveryId);
    expect(attempts.map((request) => request.answered)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((request) => request.rawBody)).size).toBe(1);
    // The receiver answers before the sender records the outcome: wait for that.
    let row = await outboxRow(checkpoint.id);
    for (
      const deadline = Date.now() + 5000;
      !row?.delivered_at && Date.now() < deadline;
      row = await outboxRow(checkpoint.id)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(row).toMatchObject({ id: delivery.deliveryId, attempts: 3, last_error: null });
    expect(row?.delivered_at).not.toBeNull();
  });

  it('alerts again on a second FAIL, and on the recovery to PASS', async () => {
    const second = await run();
    expect(second.status).toBe('FAIL');
    const again = await receiver.waitFor(second.id);
    expect(again.payload).toMatchObject({ status: 'FAIL', previousStatus: 'FAIL', reason: 'FAIL', severity: 'P1' });

    await setRollout(0);
    const recovered = await run();
    expect(recovered.status).toBe('PASS');
    const recovery = await receiver.waitFor(recovered.id);
    expect(recovery.payload).toMatchObject({
      status: 'PASS',
      health: 'GREEN',
      previousStatus: 'FAIL',
      reason: 'STATUS_CHANGE',
      severity: 'P2',
      alerts: [],
    });
    expect(recovery.payload.text).toContain(':large_green_circle: P2');
    expect(recovery.signature).toBe(createHmac('sha256', SECRET).update(recovery.rawBody).digest('hex'));

    // A PASS after a PASS says nothing.
    const quiet = await run();
    expect(quiet.status).toBe('PASS');
    expect(await outboxRow(quiet.id)).toBeUndefined();
  });

  it('sent each alert exactly once, and leaves no backlog', async () => {
    // Give a duplicate (if any) time to show up.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const perDelivery = receiver.acknowledgedPerDelivery();
    expect(perDelivery.size).toBe(3);
    expect([...perDelivery.values()]).toEqual([1, 1, 1]);
    const checkpointIds = receiver.acknowledged().map((request) => request.payload.id);
    expect(new Set(checkpointIds).size).toBe(3);
    expect(await t.app.get(AlertOutboxService).backlog()).toBe(0);
    const [{ rows }] = await database.query(`SELECT count(*)::int AS rows FROM alert_outbox WHERE feature_key = $1`, [
      FLAG,
    ]);
    expect(rows).toBe(3);
  });
});
