import type { Page } from 'playwright-core';
import { ConsoleHarness, runbookFlag, screenshot, seriousA11yFindings, signIn, startConsole } from './console-harness';

let h: ConsoleHarness;
let key: string;
let checkpointId: string;

/** Some healthy treatment and control traffic, so the charts and evidence have numbers. */
async function traffic(): Promise<void> {
  const admin = h.accounts.SUPER_ADMIN.token;
  const token = (
    await h.t.http
      .post('/api/admin/service-tokens')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'matching-backend', permissions: ['telemetry:write'] })
      .expect(201)
  ).body.token;
  const events = Array.from({ length: 400 }, (_, i) => ({
    type: 'http',
    featureKey: key,
    variant: i % 4 === 0 ? 'on' : 'off',
    route: '/api/matching',
    statusCode: i % 40 === 0 ? 404 : 200,
    latencyMs: 30 + (i % 25),
  }));
  const matching = Array.from({ length: 80 }, (_, i) => ({
    type: 'matching',
    featureKey: key,
    variant: i % 2 ? 'on' : 'off',
    matched: i % 9 !== 0,
    timeToMatchMs: 2500 + i * 10,
  }));
  await h.t.http
    .post('/api/telemetry/events')
    .set('x-api-key', token)
    .send({ events: [...events, ...matching] })
    .expect(202);
}

beforeAll(async () => {
  h = await startConsole();
  key = await runbookFlag(h, 'passenger_favorites_matching');
  await traffic();
  for (let i = 0; i < 3; i++) {
    const run = await h.t.http
      .post(`/api/admin/beta-monitor/${key}/run`)
      .auth(h.accounts.OPERATOR.token, { type: 'bearer' })
      .send({ phase: 'phase1_beta' })
      .expect(201);
    checkpointId = run.body.id;
  }
  await h.t.http
    .post(`/api/admin/beta-monitor/${key}/complaints`)
    .auth(h.accounts.OPERATOR.token, { type: 'bearer' })
    .send({
      subjectId: 'pass_beta_004_2026',
      severity: 'minor',
      summary: 'Favourite pickup point took two taps to load',
    })
    .expect(201);
});
afterAll(() => h.close());

const PAGES = (): ReadonlyArray<readonly [string, string, string]> => [
  ['flags', '/admin/feature-flags', 'Feature flags'],
  ['flag', `/admin/feature-flags/${key}`, 'History'],
  ['beta-monitor-index', '/admin/beta-monitor', 'Beta monitor'],
  ['beta-monitor', `/admin/beta-monitor/${key}`, 'Go/no-go (runbook §5)'],
  ['checkpoint', `/admin/beta-monitor/${key}/checkpoints/${checkpointId}`, 'Checks'],
  ['users', '/admin/users', 'Users'],
  ['service-tokens', '/admin/service-tokens', 'Service tokens'],
];

async function audit(page: Page, name: string): Promise<void> {
  const findings = await seriousA11yFindings(page);
  expect([name, findings]).toEqual([name, []]);
}

it.each(['en-US', 'pt-BR'] as const)('has no serious or critical axe-core finding on any page (%s)', async (locale) => {
  const { page, violations } = await h.page(locale);
  await page.goto('/admin');
  await page.getByRole('button', { name: /^(Sign in|Entrar)$/ }).waitFor();
  await audit(page, `sign-in ${locale}`);
  if (locale === 'en-US') await screenshot(page, 'console-sign-in');
  await signIn(page, h.accounts.SUPER_ADMIN);
  for (const [name, path, heading] of PAGES()) {
    await page.goto(path);
    if (locale === 'pt-BR') await page.getByLabel('Idioma').waitFor();
    else await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await audit(page, `${name} ${locale}`);
    if (locale === 'en-US') await screenshot(page, `console-${name}`);
    if (locale === 'pt-BR' && name === 'beta-monitor') await screenshot(page, 'console-beta-monitor-pt-BR');
  }
  expect(violations).toEqual([]);
});
