import { newFlag, startTestApp, TestApp } from './support/test-app';

type Entry = { subjectId: string; addedBy: string; addedAt: string; note: string | null };
type AuditEvent = {
  action: string;
  actor: string;
  actorRole: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
  requestId: string | null;
};

describe('allowlist (admin API)', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    [admin, operator, viewer] = await Promise.all([
      t.tokenFor('SUPER_ADMIN'),
      t.tokenFor('OPERATOR'),
      t.tokenFor('ANGEL_VIEWER'),
    ]);
  });
  afterAll(() => t.close());

  const allowlistOf = (key: string): string => `/api/admin/feature-flags/${key}/allowlist`;

  async function flagOf(
    key: string,
  ): Promise<{ allowlistCount: number; version: number; enabled: boolean; rolloutPercentage: number }> {
    const response = await t.http.get(`/api/admin/feature-flags/${key}`).auth(viewer, { type: 'bearer' }).expect(200);
    return response.body;
  }

  async function historyOf(key: string): Promise<AuditEvent[]> {
    const response = await t.http
      .get(`/api/admin/feature-flags/${key}/history?limit=500`)
      .auth(viewer, { type: 'bearer' })
      .expect(200);
    return response.body.items;
  }

  async function add(
    key: string,
    subjectIds: string[],
    token = admin,
  ): Promise<{ added: number; alreadyPresent: number; count: number }> {
    const response = await t.http
      .post(allowlistOf(key))
      .auth(token, { type: 'bearer' })
      .send({ subjectIds })
      .expect(200);
    return response.body;
  }

  /** Walks every page with `limit`, returning the subject IDs in the order served. */
  async function walk(key: string, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? `limit=${limit}` : `limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
      const response = await t.http
        .get(`${allowlistOf(key)}?${query}`)
        .auth(viewer, { type: 'bearer' })
        .expect(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...response.body.items.map((entry: Entry) => entry.subjectId));
      cursor = response.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 1000);
    return { ids, pages };
  }

  it('adds 10,000 subjects in one call, counts them on the flag and pages through them', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true });
    const subjectIds = Array.from({ length: 10_000 }, (_, i) => `pass_${String(i).padStart(6, '0')}_2026`);
    const response = await t.http
      .post(allowlistOf(key))
      .auth(admin, { type: 'bearer' })
      .send({ subjectIds, note: 'phase 2 cohort', reason: 'widen beta' })
      .expect(200);
    expect(response.body).toEqual({ added: 10_000, alreadyPresent: 0, count: 10_000 });
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 10_000, version: 2 });

    const first = await t.http
      .get(`${allowlistOf(key)}?limit=500`)
      .auth(viewer, { type: 'bearer' })
      .expect(200);
    expect(first.body.count).toBe(10_000);
    expect(first.body.items).toHaveLength(500);
    expect(first.body.items[0]).toEqual({
      subjectId: 'pass_000000_2026',
      addedBy: 'root-admin@flagdog.test',
      addedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      note: 'phase 2 cohort',
    });
    expect(typeof first.body.nextCursor).toBe('string');

    const { ids, pages } = await walk(key, 500);
    expect(pages).toBe(20);
    expect(ids).toEqual(subjectIds);
  });

  it('is idempotent: re-adding and duplicates within a request are counted, not stored twice', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true });
    expect(await add(key, ['pass_beta_001_2026', 'pass_beta_002_2026', 'pass_beta_001_2026'])).toEqual({
      added: 2,
      alreadyPresent: 1,
      count: 2,
    });
    expect(await add(key, ['pass_beta_002_2026', 'pass_beta_003_2026'])).toEqual({
      added: 1,
      alreadyPresent: 1,
      count: 3,
    });
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 3, version: 3 });

    // Nothing new: no write, no version bump, no audit event.
    expect(await add(key, ['pass_beta_001_2026', 'pass_beta_003_2026', 'pass_beta_003_2026'])).toEqual({
      added: 0,
      alreadyPresent: 3,
      count: 3,
    });
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 3, version: 3 });
    expect((await historyOf(key)).map((event) => event.action)).toEqual([
      'allowlist.added',
      'allowlist.added',
      'flag.created',
    ]);

    const list = await t.http.get(allowlistOf(key)).auth(viewer, { type: 'bearer' }).expect(200);
    expect(list.body).toMatchObject({ count: 3, nextCursor: null });
    expect(list.body.items.map((entry: Entry) => entry.subjectId)).toEqual([
      'pass_beta_001_2026',
      'pass_beta_002_2026',
      'pass_beta_003_2026',
    ]);
  });

  it('removes one subject (204), and answers 404 SUBJECT_NOT_FOUND for an absent one', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true });
    await add(key, ['pass_beta_001_2026', 'pass_beta_002_2026']);
    await t.http
      .delete(`${allowlistOf(key)}/pass_beta_001_2026?reason=complaint`)
      .auth(admin, { type: 'bearer' })
      .expect(204);
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 1, version: 3 });

    const again = await t.http
      .delete(`${allowlistOf(key)}/pass_beta_001_2026`)
      .auth(admin, { type: 'bearer' })
      .expect(404);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({ status: 404, code: 'SUBJECT_NOT_FOUND' });
    expect(typeof again.body.requestId).toBe('string');
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 1, version: 3 });

    const list = await t.http.get(allowlistOf(key)).auth(viewer, { type: 'bearer' }).expect(200);
    expect(list.body.items.map((entry: Entry) => entry.subjectId)).toEqual(['pass_beta_002_2026']);

    const [removed] = await historyOf(key);
    expect(removed).toMatchObject({
      action: 'allowlist.removed',
      actorRole: 'SUPER_ADMIN',
      reason: 'complaint',
      before: { allowlistCount: 2, version: 2 },
      after: { allowlistCount: 1, version: 3, subjectIds: ['pass_beta_001_2026'] },
    });
  });

  it('lets an OPERATOR clear the allowlist (runbook Level 1, option B), leaving the rest of the flag alone', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 5 });
    await add(
      key,
      Array.from({ length: 10 }, (_, i) => `pass_beta_${String(i + 1).padStart(3, '0')}_2026`),
    );
    const cleared = await t.http
      .delete(`${allowlistOf(key)}?reason=${encodeURIComponent('Level 1 option B')}`)
      .auth(operator, { type: 'bearer' })
      .expect(200);
    expect(cleared.body).toEqual({ removed: 10, count: 0 });
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 0, version: 3, enabled: true, rolloutPercentage: 5 });

    const list = await t.http.get(allowlistOf(key)).auth(viewer, { type: 'bearer' }).expect(200);
    expect(list.body).toEqual({ items: [], count: 0, nextCursor: null });

    const [event] = await historyOf(key);
    expect(event).toMatchObject({
      action: 'allowlist.cleared',
      actorRole: 'OPERATOR',
      reason: 'Level 1 option B',
      after: { allowlistCount: 0, removed: 10 },
    });

    // Clearing an empty allowlist is fine and changes nothing.
    const empty = await t.http.delete(allowlistOf(key)).auth(operator, { type: 'bearer' }).expect(200);
    expect(empty.body).toEqual({ removed: 0, count: 0 });
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 0, version: 3 });
  });

  it('pages with limit and nextCursor, every entry exactly once, in order', async () => {
    const { key } = await newFlag(t.http, admin);
    const ascii = Array.from({ length: 103 }, (_, i) => `subj-${String(i).padStart(4, '0')}`);
    const unicode = ['Jørgen', '山田太郎', '🚕-rider-7', 'Émile', 'zoë'];
    await add(key, [...ascii].reverse().concat(unicode));

    const { ids, pages } = await walk(key, 10);
    expect(pages).toBe(11);
    expect(ids).toHaveLength(108);
    expect(new Set(ids).size).toBe(108);
    expect([...ids].sort()).toEqual([...ascii, ...unicode].sort());
    expect(ids.filter((id) => id.startsWith('subj-'))).toEqual(ascii);

    // The same order whatever the page size.
    expect((await walk(key, 500)).ids).toEqual(ids);
    expect((await walk(key, 1)).ids).toEqual(ids);

    for (const bad of ['limit=0', 'limit=501', 'limit=ten', 'cursor=not-a-cursor']) {
      const response = await t.http
        .get(`${allowlistOf(key)}?${bad}`)
        .auth(viewer, { type: 'bearer' })
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('accepts any Unicode subject ID of 1–128 code points without control characters', async () => {
    const { key } = await newFlag(t.http, admin);
    const valid = [
      'Jørgen',
      '山田太郎',
      '🚕-rider-7',
      'x',
      'a'.repeat(128),
      '🚕'.repeat(128),
      'with space',
      'a/b',
      'ünïcödé ✓',
    ];
    expect(await add(key, valid)).toEqual({ added: valid.length, alreadyPresent: 0, count: valid.length });
    const { ids } = await walk(key, 500);
    expect([...ids].sort()).toEqual([...valid].sort());
    expect(await flagOf(key)).toMatchObject({ allowlistCount: valid.length, version: 2 });
  });

  it('refuses invalid subject IDs with 400 VALIDATION_FAILED, and a rejected batch writes nothing', async () => {
    const { key } = await newFlag(t.http, admin);
    await add(key, ['pass_beta_001_2026']);
    const invalid: unknown[] = [
      '',
      'a'.repeat(129),
      '🚕'.repeat(129),
      'a\u0000b',
      'a\nb',
      'tab\there',
      'del\u007f',
      '\u0085next',
      '\ud800',
      'x\udc00y',
      42,
      null,
    ];
    for (const bad of invalid) {
      const response = await t.http
        .post(allowlistOf(key))
        .auth(admin, { type: 'bearer' })
        .send({ subjectIds: ['pass_beta_002_2026', bad, 'pass_beta_003_2026'] })
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors[0].field).toBe('subjectIds');
    }
    for (const body of [
      { subjectIds: [] },
      { subjectIds: 'pass_beta_002_2026' },
      {},
      { subjectIds: ['ok'], extra: 1 },
    ]) {
      const response = await t.http.post(allowlistOf(key)).auth(admin, { type: 'bearer' }).send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 1, version: 2 });
    const list = await t.http.get(allowlistOf(key)).auth(viewer, { type: 'bearer' }).expect(200);
    expect(list.body.items.map((entry: Entry) => entry.subjectId)).toEqual(['pass_beta_001_2026']);
    expect((await historyOf(key)).map((event) => event.action)).toEqual(['allowlist.added', 'flag.created']);
  });

  it('refuses more than 10,000 subject IDs in one call and writes nothing', async () => {
    const { key } = await newFlag(t.http, admin);
    const subjectIds = Array.from({ length: 10_001 }, (_, i) => `s${i}`);
    const response = await t.http
      .post(allowlistOf(key))
      .auth(admin, { type: 'bearer' })
      .send({ subjectIds })
      .expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors[0].field).toBe('subjectIds');
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 0, version: 1 });
  });

  it('bumps the flag version once per change and records who did what in the history', async () => {
    const { key } = await newFlag(t.http, admin);
    const added = await t.http
      .post(allowlistOf(key))
      .auth(admin, { type: 'bearer' })
      .set('x-request-id', 'req-allowlist-add-1')
      .send({ subjectIds: ['pass_beta_001_2026', 'Jørgen'], note: 'beta', reason: 'Phase 1 beta cohort' })
      .expect(200);
    expect(added.headers['x-request-id']).toBe('req-allowlist-add-1');
    expect(await flagOf(key)).toMatchObject({ version: 2, allowlistCount: 2 });

    const [event] = await historyOf(key);
    expect(event).toMatchObject({
      action: 'allowlist.added',
      actor: 'root-admin@flagdog.test',
      actorRole: 'SUPER_ADMIN',
      reason: 'Phase 1 beta cohort',
      requestId: 'req-allowlist-add-1',
      before: { allowlistCount: 0, version: 1 },
      after: { allowlistCount: 2, version: 2 },
    });
    expect([...(event.after!.subjectIds as string[])].sort()).toEqual(['Jørgen', 'pass_beta_001_2026'].sort());

    await t.http
      .delete(`${allowlistOf(key)}/J%C3%B8rgen`)
      .auth(operator, { type: 'bearer' })
      .set('x-request-id', 'req-allowlist-rm-1')
      .expect(204);
    expect(await flagOf(key)).toMatchObject({ version: 3, allowlistCount: 1 });
    const [removed] = await historyOf(key);
    expect(removed).toMatchObject({
      action: 'allowlist.removed',
      actorRole: 'OPERATOR',
      requestId: 'req-allowlist-rm-1',
    });

    await t.http.delete(allowlistOf(key)).auth(operator, { type: 'bearer' }).expect(200);
    expect(await flagOf(key)).toMatchObject({ version: 4, allowlistCount: 0 });
    expect((await historyOf(key)).map((e) => e.action)).toEqual([
      'allowlist.cleared',
      'allowlist.removed',
      'allowlist.added',
      'flag.created',
    ]);
  });

  it('lets OPERATOR remove and clear but not add; ANGEL_VIEWER may only read', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true });
    await add(key, ['pass_beta_001_2026', 'pass_beta_002_2026']);

    const refusals = [
      {
        token: viewer,
        call: () => t.http.post(allowlistOf(key)).send({ subjectIds: ['intruder'] }),
        permission: 'allowlist:add',
      },
      {
        token: operator,
        call: () => t.http.post(allowlistOf(key)).send({ subjectIds: ['intruder'] }),
        permission: 'allowlist:add',
      },
      {
        token: viewer,
        call: () => t.http.delete(`${allowlistOf(key)}/pass_beta_001_2026`),
        permission: 'allowlist:remove',
      },
      { token: viewer, call: () => t.http.delete(allowlistOf(key)), permission: 'allowlist:remove' },
    ];
    for (const { token, call, permission } of refusals) {
      const response = await call().auth(token, { type: 'bearer' }).expect(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'PERMISSION_DENIED', permission });
    }
    await t.http
      .post(allowlistOf(key))
      .send({ subjectIds: ['intruder'] })
      .expect(401);
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 2, version: 2 });

    const read = await t.http.get(allowlistOf(key)).auth(viewer, { type: 'bearer' }).expect(200);
    expect(read.body.count).toBe(2);
    await t.http
      .delete(`${allowlistOf(key)}/pass_beta_001_2026`)
      .auth(operator, { type: 'bearer' })
      .expect(204);
    const cleared = await t.http.delete(allowlistOf(key)).auth(operator, { type: 'bearer' }).expect(200);
    expect(cleared.body).toEqual({ removed: 1, count: 0 });
  });

  it('lands all of 20 concurrent additions to one flag', async () => {
    const { key } = await newFlag(t.http, admin, { enabled: true });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => add(key, [`racer-${i}-a`, `racer-${i}-b`, `racer-${i}-c`])),
    );
    for (const result of results) expect(result).toMatchObject({ added: 3, alreadyPresent: 0 });
    // Each answer's count is the state right after that writer: all distinct, the last one is the total.
    expect(results.map((result) => result.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => 3 * (i + 1)),
    );
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 60, version: 21 });
    const { ids } = await walk(key, 500);
    expect(ids).toHaveLength(60);
    expect((await historyOf(key)).filter((event) => event.action === 'allowlist.added')).toHaveLength(20);
  });

  it('answers 404 FLAG_NOT_FOUND for an unknown or archived flag', async () => {
    const calls = (key: string) => [
      t.http.get(allowlistOf(key)),
      t.http.post(allowlistOf(key)).send({ subjectIds: ['pass_beta_001_2026'] }),
      t.http.delete(`${allowlistOf(key)}/pass_beta_001_2026`),
      t.http.delete(allowlistOf(key)),
    ];
    for (const call of calls('no_such_flag')) {
      const response = await call.auth(admin, { type: 'bearer' }).expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('FLAG_NOT_FOUND');
    }
    const { key } = await newFlag(t.http, admin);
    await add(key, ['pass_beta_001_2026']);
    await t.http.delete(`/api/admin/feature-flags/${key}`).auth(admin, { type: 'bearer' }).expect(204);
    for (const call of calls(key)) {
      const response = await call.auth(admin, { type: 'bearer' }).expect(404);
      expect(response.body.code).toBe('FLAG_NOT_FOUND');
    }
    const badKey = await t.http.get(allowlistOf('Bad-Key')).auth(admin, { type: 'bearer' }).expect(400);
    expect(badKey.body.code).toBe('VALIDATION_FAILED');
  });

  it('removes subject IDs with slashes, spaces, percent signs and Unicode given URL-encoded in the path', async () => {
    const { key } = await newFlag(t.http, admin);
    const tricky = [
      'tenant/42/passenger',
      'Jørgen Hansen',
      '山田太郎',
      '🚕-rider-7',
      '100% sure',
      'a+b',
      'q?x=1#frag',
      '..',
    ];
    await add(key, [...tricky, 'bystander']);
    for (const subjectId of tricky) {
      await t.http
        .delete(`${allowlistOf(key)}/${encodeURIComponent(subjectId)}`)
        .auth(operator, { type: 'bearer' })
        .expect(204);
    }
    const list = await t.http.get(allowlistOf(key)).auth(viewer, { type: 'bearer' }).expect(200);
    expect(list.body).toMatchObject({ count: 1, items: [{ subjectId: 'bystander' }] });
    const history = await historyOf(key);
    expect(
      history.filter((event) => event.action === 'allowlist.removed').map((event) => event.after!.subjectIds),
    ).toEqual([...tricky].reverse().map((id) => [id]));

    const tooLong = await t.http
      .delete(`${allowlistOf(key)}/${'a'.repeat(129)}`)
      .auth(operator, { type: 'bearer' })
      .expect(400);
    expect(tooLong.body.code).toBe('VALIDATION_FAILED');
    const control = await t.http
      .delete(`${allowlistOf(key)}/a%0Ab`)
      .auth(operator, { type: 'bearer' })
      .expect(400);
    expect(control.body.code).toBe('VALIDATION_FAILED');
  });

  it('accepts 10,000 IDs of the full 128 characters in one call (a body over 1 MiB)', async () => {
    const { key } = await newFlag(t.http, admin);
    const ids = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(5, '0')}-${'é'.repeat(122)}`);
    expect(Buffer.byteLength(JSON.stringify({ subjectIds: ids }))).toBeGreaterThan(1024 * 1024);
    expect(await add(key, ids)).toEqual({ added: 10_000, alreadyPresent: 0, count: 10_000 });
  });

  it('refuses a change with a stale If-Match (412 VERSION_CONFLICT) and writes nothing', async () => {
    const { key } = await newFlag(t.http, admin);
    await t.http
      .post(allowlistOf(key))
      .auth(admin, { type: 'bearer' })
      .set('if-match', '"1"')
      .send({ subjectIds: ['a'] })
      .expect(200);
    const stale = await t.http
      .post(allowlistOf(key))
      .auth(admin, { type: 'bearer' })
      .set('if-match', '"1"')
      .send({ subjectIds: ['b'] })
      .expect(412);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    await t.http
      .delete(`${allowlistOf(key)}/a`)
      .auth(admin, { type: 'bearer' })
      .set('if-match', '"1"')
      .expect(412);
    await t.http.delete(allowlistOf(key)).auth(admin, { type: 'bearer' }).set('if-match', '"1"').expect(412);
    expect(await flagOf(key)).toMatchObject({ allowlistCount: 1, version: 2 });
  });
});
