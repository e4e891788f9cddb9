import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Client } from 'pg';
import { newFlag, startTestApp, TestApp } from './support/test-app';

/**
 * OpenAPI-driven fuzzing: requests built from the committed `openapi.json`, with values that
 * broke flagdog before (deep nesting, lone surrogates, 1e-7, out-of-range cursors and offsets,
 * bidi characters, malformed %-escapes) mixed with random JSON, sent as every kind of caller.
 * Asserted: no 5xx; every error is problem+json (OFREP's own shape on OFREP routes); a refused
 * request changes no table. Seeded and bounded, so it is the same run every time.
 *
 * PostgreSQL only: the "changes no table" check reads every table through a second connection,
 * which the embedded database (one session) cannot offer while the app holds it.
 */
type Operation = {
  method: string;
  path: string;
  parameters: { name: string; in: string }[];
  hasBody: boolean;
  bodySchema?: Schema;
};
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
  enum?: unknown[];
  allOf?: Schema[];
};

const SEED = 20261203;
const RUNS = 400;
const spec = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: Schema }> } }
    >
  >;
  components: { schemas: Record<string, Schema> };
};

const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    method,
    path,
    parameters: op.parameters ?? [],
    hasBody: op.requestBody !== undefined,
    bodySchema: op.requestBody?.content['application/json']?.schema,
  })),
);

const resolve = (schema: Schema | undefined): Schema =>
  schema?.$ref
    ? spec.components.schemas[schema.$ref.split('/').pop()!]
    : schema?.allOf?.[0]
      ? resolve(schema.allOf[0])
      : (schema ?? {});

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const hostileString = fc.constantFrom(
  '',
  'a\ud800b',
  'pass\u202e1',
  '\u200bpass',
  '\ufeff',
  'x'.repeat(5000),
  '%E0%A4%A',
  '2026-01-01T00:00:00+99:00',
  Buffer.from('1e300').toString('base64url'),
  Buffer.from('99999999999999999999').toString('base64url'),
  Buffer.from('-1').toString('base64url'),
  '../../etc/passwd',
  "' OR 1=1 --",
  '\u0130LKER@flagdog.test',
  'a\u0000b',
  'null',
);
const hostileNumber = fc.constantFrom(1e-7, 5e-324, -0, -1, 100.001, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/** A body shaped like the schema, each field kept valid-looking, replaced by something hostile, or dropped. */
function bodyFor(schema: Schema): fc.Arbitrary<unknown> {
  const resolved = resolve(schema);
  if (resolved.enum) return fc.oneof(fc.constantFrom(...resolved.enum), anyValue);
  if (resolved.type === 'object' || resolved.properties) {
    const entries = Object.entries(resolved.properties ?? {}).map(
      ([name, child]) => [name, fc.option(bodyFor(child), { nil: undefined })] as const,
    );
    return fc.record(Object.fromEntries(entries)).map((record) => JSON.parse(JSON.stringify(record)) as unknown);
  }
  if (resolved.type === 'array') return fc.oneof(fc.array(bodyFor(resolved.items ?? {}), { maxLength: 3 }), anyValue);
  if (resolved.type === 'number' || resolved.type === 'integer')
    return fc.oneof(fc.double({ noNaN: true }), hostileNumber, anyValue);
  if (resolved.type === 'boolean') return fc.oneof(fc.boolean(), anyValue);
  if (resolved.type === 'string') return fc.oneof(fc.string({ maxLength: 30 }), hostileString, anyValue);
  return anyValue;
}

/** Percent-encoding that also carries a lone surrogate (as the bytes a sloppy client would send). */
const encode = (value: string): string =>
  value.isWellFormed()
    ? encodeURIComponent(value)
    : encodeURIComponent(value.toWellFormed()).replace(/%EF%BF%BD/g, '%ED%A0%80');

type Caller = 'SUPER_ADMIN' | 'OPERATOR' | 'ANGEL_VIEWER' | 'service' | 'none' | 'forged';

describe('OpenAPI-driven fuzzing', () => {
  let t: TestApp;
  let db: Client;
  const tokens = new Map<Caller, string>();
  let liveKey: string;
  const figures = { sent: 0, serverErrors: 0, refusedYetChanged: 0 };

  beforeAll(async () => {
    t = await startTestApp();
    for (const role of ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] as const) tokens.set(role, await t.tokenFor(role));
    const admin = tokens.get('SUPER_ADMIN')!;
    tokens.set(
      'service',
      (await t.http.post('/api/admin/service-tokens').auth(admin, { type: 'bearer' }).send({ name: 'fuzz' })).body
        .token,
    );
    tokens.set('forged', `${admin.slice(0, -4)}AAAA`);
    liveKey = (await newFlag(t.http, admin, { enabled: true, rolloutPercentage: 5 })).key;
    db = new Client({ connectionString: t.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
    console.log(
      `fuzz: ${figures.sent} requests, ${figures.serverErrors} 5xx, ${figures.refusedYetChanged} refused yet changed a table`,
    );
  });

  /**
   * Every row of every table, as text: equal before and after means nothing changed. Except
   * login_attempts, whose purpose is counting refused logins, and evaluation_minutes, where the
   * counts of earlier (answered) evaluations are added every few seconds in the background.
   */
  async function fingerprint(): Promise<string> {
    const tables: { tablename: string }[] = (
      await db.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('login_attempts', 'evaluation_minutes') ORDER BY 1`,
      )
    ).rows;
    const parts: string[] = [];
    for (const { tablename } of tables) {
      const { rows } = await db.query(
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${tablename}" t`,
      );
      parts.push(`${tablename}:${rows[0].h}`);
    }
    return parts.join(',');
  }

  const pathValue = fc.oneof(fc.constant('live'), hostileString, fc.string({ minLength: 1, maxLength: 10 }));
  const request = fc.record({
    operation: fc.constantFrom(...operations),
    caller: fc.constantFrom<Caller>('SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER', 'service', 'none', 'forged'),
    pathValues: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
    queryValues: fc.array(
      fc.option(fc.oneof(hostileString, fc.string({ maxLength: 10 }), fc.constantFrom('1', '0', 'true', '-5', '501')), {
        nil: undefined,
      }),
      {
        minLength: 8,
        maxLength: 8,
      },
    ),
    rawBody: fc.oneof(
      { weight: 6, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          `{"subjectIds":${deep(5000)}}`,
          '{"email":"a\\ud800@x","password":"p"}',
          '{',
          '[]',
          '"x"',
          '',
        ),
      },
    ),
    body: fc.anything({ maxDepth: 2 }).chain((noise) => fc.constant(noise)),
    seedBody: fc.integer({ min: 0, max: 1e9 }),
  });

  it('never answers 5xx, always answers errors in the right shape, and refused requests change nothing', async () => {
    const samples = fc.sample(request, { seed: SEED, numRuns: RUNS });
    for (const sample of samples) {
      const { operation, caller } = sample;
      let valueIndex = 0;
      const url = operation.path.replace(/\{[^}]+\}/g, (name) => {
        const value = sample.pathValues[valueIndex++ % 3];
        if (value === 'live') return name === '{key}' ? liveKey : 'pass_1';
        return encode(value as string);
      });
      const query = operation.parameters
        .filter((parameter) => parameter.in === 'query')
        .flatMap((parameter, index) => {
          const value = sample.queryValues[index];
          return value === undefined ? [] : [`${parameter.name}=${encode(value as string)}`];
        })
        .join('&');
      const body = operation.bodySchema
        ? fc.sample(bodyFor(operation.bodySchema), { seed: sample.seedBody, numRuns: 1 })[0]
        : sample.body;

      const before = await fingerprint();
      let call = t.http[operation.method as 'get'](query === '' ? url : `${url}?${query}`);
      const token = tokens.get(caller);
      if (token) call = call.auth(token, { type: 'bearer' });
      if (operation.hasBody || operation.method !== 'get') {
        call = call.set('Content-Type', 'application/json').send(sample.rawBody ?? JSON.stringify(body ?? {}));
      }
      const response = await call;
      figures.sent += 1;
      const where = `${operation.method.toUpperCase()} ${url} as ${caller}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;

      if (response.status >= 500) figures.serverErrors += 1;
      expect({ where, server: response.status >= 500 }).toEqual({ where, server: false });
      if (response.status >= 400) {
        const ofrep = operation.path.startsWith('/ofrep/');
        const ofrepShaped = ofrep && typeof response.body?.errorCode === 'string';
        const problemShaped =
          /^application\/problem\+json/.test(response.headers['content-type'] ?? '') &&
          typeof response.body?.code === 'string';
        expect({ where, shaped: ofrepShaped || problemShaped }).toEqual({ where, shaped: true });
        const after = await fingerprint();
        if (after !== before) figures.refusedYetChanged += 1;
        expect({ where, changed: after !== before }).toEqual({ where, changed: false });
      }
    }
    expect(figures.sent).toBe(RUNS);
  }, 120_000);
});
