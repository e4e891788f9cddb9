import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const COMMITTED = join(ROOT, 'openapi.json');

/** The OpenAPI document is an artefact: `npm run openapi` regenerates it, this test guards it. */
describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is served at /api/docs-json and /api/docs, and equals the committed openapi.json', async () => {
    const served = await t.http.get('/api/docs-json').expect(200);
    await t.http.get('/api/docs').expect(200);
    const text = `${JSON.stringify(served.body, null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED, text);
    expect(text).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('documents security and the problem+json errors of every operation', async () => {
    const { body } = await t.http.get('/api/docs-json').expect(200);
    const operations = Object.entries(body.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.length).toBeGreaterThan(15);
    for (const { route, operation } of operations) {
      const responses = operation.responses as Record<string, { content?: Record<string, unknown> }>;
      const errors = Object.keys(responses).filter((status) => Number(status) >= 400);
      const isPublic = route.includes('/health/') || route.endsWith('/auth/login');
      expect([route, errors.length > 0 || route.includes('/health/')]).toEqual([route, true]);
      expect([route, Object.keys(responses).some((status) => Number(status) < 300)]).toEqual([route, true]);
      for (const status of errors)
        expect(Object.keys(responses[status].content ?? {})).toEqual(['application/problem+json']);
      if (!isPublic) {
        expect([route, errors]).toEqual([route, expect.arrayContaining(['401', '403'])]);
        expect([route, operation.security]).toEqual([route, expect.arrayContaining([{ bearer: [] }])]);
      }
    }
  });

  it('is generated from the current DTOs (src/metadata.ts is up to date)', () => {
    const out = mkdtempSync(join(tmpdir(), 'flagdog-metadata-'));
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'generate-openapi-metadata.js'), out], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    expect(readFileSync(join(out, 'metadata.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'src', 'metadata.ts'), 'utf8'));
  });
});
