import { FLAG, setUpPhase1 } from './support/runbook';
import { newFlag, startTestApp, TestApp } from './support/test-app';
import { ActingAs, actingAs } from './support/acting-as';

const COUNTED = 'metrics_counted_flag';
const LISTED = ['subj_metrics_secret_a1', 'subj_metrics_secret_b2', 'subj_metrics_secret_c3'];
const UNLISTED = 'subj_metrics_secret_zz9';

/** /metrics in Prometheus text (docs/adr/0007-metrics.md), with route templates and no subject IDs. */
describe('/metrics', () => {
  let t: TestApp;
  let as: ActingAs;
  let text: string;
  let contentType: string;
  let checkpointStatus: string;

  beforeAll(async () => {
    t = await startTestApp();
    as = await actingAs(t);
    const admin = await t.tokenFor('SUPER_ADMIN');
    const auth = { type: 'bearer' as const };
    await newFlag(t.http, admin, { key: COUNTED, enabled: true, rolloutPercentage: 0 });
    await as('SUPER_ADMIN')
      .post(`/api/admin/feature-flags/${COUNTED}/allowlist`)
      .send({ subjectIds: LISTED })
      .expect(200);
    for (const subjectId of LISTED) {
      const response = await t.http
        .get(`/api/feature-flags/${COUNTED}/evaluate`)
        .query({ subjectId })
        .auth(admin, auth)
        .expect(200);
      expect(response.body.reason).toBe('ALLOWLIST');
    }
    await t.http
      .get(`/api/feature-flags/${COUNTED}/evaluate`)
      .query({ subjectId: UNLISTED })
      .auth(admin, auth)
      .expect(200);
    await t.http
      .get(`/api/feature-flags/metrics_missing_flag/evaluate`)
      .query({ subjectId: UNLISTED })
      .auth(admin, auth)
      .expect(200);
    await as('SUPER_ADMIN').delete(`/api/admin/feature-flags/${COUNTED}/allowlist/${LISTED[0]}`).expect(204);
    await t.http.get(`/no/such/path/${UNLISTED}`).expect(404);

    await setUpPhase1(t.http, admin);
    const run = await as('SUPER_ADMIN')
      .post(`/api/admin/beta-monitor/${FLAG}/run`)
      .set('content-type', 'application/json')
      .send('{"phase":"phase1_beta"}')
      .expect(201);
    checkpointStatus = run.body.status;

    // No credentials at all: METRICS_TOKEN is not set here (docs/security.md).
    const response = await t.http.get('/metrics').expect(200);
    text = response.text;
    contentType = response.headers['content-type'];
  });
  afterAll(() => t.close());

  const sample = (name: string, labels: string): number | undefined => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('answers Prometheus text without credentials', () => {
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE flagdog_evaluations_total counter');
    expect(text).toContain('# TYPE flagdog_http_request_duration_seconds histogram');
  });

  it('counts evaluations by flag and reason', () => {
    expect(sample('flagdog_evaluations_total', `flag="${COUNTED}",reason="ALLOWLIST"`)).toBe(3);
    expect(sample('flagdog_evaluations_total', `flag="${COUNTED}",reason="ROLLOUT_EXCLUDED"`)).toBe(1);
    // A key that names no flag is counted, but never becomes a label.
    expect(sample('flagdog_evaluations_total', 'flag="_unknown",reason="FLAG_NOT_FOUND"')).toBe(1);
    expect(text).not.toContain('metrics_missing_flag');
  });

  it('counts HTTP requests by route template, never by raw URL', () => {
    expect(
      sample('flagdog_http_requests_total', 'method="GET",route="/api/feature-flags/:key/evaluate",status="200"'),
    ).toBe(5);
    expect(
      sample(
        'flagdog_http_requests_total',
        'method="DELETE",route="/api/admin/feature-flags/:key/allowlist/:subjectId",status="204"',
      ),
    ).toBe(1);
    expect(sample('flagdog_http_requests_total', 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(
      sample(
        'flagdog_http_request_duration_seconds_count',
        'method="GET",route="/api/feature-flags/:key/evaluate",status="200"',
      ),
    ).toBe(5);
    expect(text).not.toMatch(/subj_metrics_secret|\/no\/such\/path/);
  });

  it('shows the latest checkpoint status of each flag with a started phase', () => {
    // The runbook's Phase 1 as set up, without traffic: every check passes or lacks data.
    expect(checkpointStatus).toBe('PASS');
    for (const status of ['PASS', 'WARN', 'FAIL', 'ERROR']) {
      expect([status, sample('flagdog_checkpoint_status', `flag="${FLAG}",status="${status}"`)]).toEqual([
        status,
        status === checkpointStatus ? 1 : 0,
      ]);
    }
    expect(text).not.toContain(`flagdog_checkpoint_status{flag="${COUNTED}"`);
  });

  it('reports telemetry, snapshot, outbox and process figures', () => {
    for (const outcome of [
      'accepted',
      'invalid',
      'unknown_flag',
      'flag_not_allowed',
      'rate_limited',
      'not_committed',
    ]) {
      expect([outcome, sample('flagdog_telemetry_events_total', `outcome="${outcome}"`)]).toEqual([outcome, 0]);
    }
    expect(sample('flagdog_telemetry_commits_total', 'result="failed"')).toBe(0);
    expect(text).toMatch(/^flagdog_telemetry_pending_events 0$/m);
    expect(text).toMatch(/^flagdog_snapshot_revision [1-9]\d*$/m);
    expect(text).toMatch(/^flagdog_snapshot_stale 0$/m);
    expect(text).toMatch(/^flagdog_alert_outbox_backlog \d+$/m);
    expect(text).toMatch(/^flagdog_process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^flagdog_nodejs_heap_size_used_bytes /m);
  });
});
