import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Role } from 'src/auth/permissions';
import { RUNBOOK_BETA, RUNBOOK_PHASES } from 'src/cli/seed-runbook';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, startTestApp, TestApp } from '../support/test-app';

/** Debian's chromium package; CI installs it when missing (.ci/run). No browser download. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type Account = Readonly<{ email: string; password: string; role: Role; token: string }>;

export type ConsoleHarness = Readonly<{
  t: TestApp;
  base: string;
  browser: Browser;
  accounts: Readonly<Record<Role, Account>>;
  /** A fresh browser context (its own sessionStorage) in a language, with CSP violations collected. */
  page: (locale?: 'en-US' | 'pt-BR') => Promise<{ page: Page; context: BrowserContext; violations: string[] }>;
  close: () => Promise<void>;
}>;

let counter = 0;

async function account(t: TestApp, role: Role): Promise<Account> {
  if (role === 'SUPER_ADMIN')
    return {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
      role,
      token: await login(t.http, ADMIN_EMAIL, ADMIN_PASSWORD),
    };
  const admin = await t.tokenFor('SUPER_ADMIN');
  const email = `${role.toLowerCase().replace('_', '-')}-${process.pid}-${++counter}@flagdog.test`;
  const password = `${role}-console-password`;
  await t.http.post('/api/admin/users').auth(admin, { type: 'bearer' }).send({ email, password, role }).expect(201);
  return { email, password, role, token: await login(t.http, email, password) };
}

/** The real app (built console included) on its own PostgreSQL database, and headless Chromium. */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleHarness> {
  const t = await startTestApp({ env });
  const base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's sandbox cannot start as root (CI runs as root).
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  const accounts = {
    SUPER_ADMIN: await account(t, 'SUPER_ADMIN'),
    OPERATOR: await account(t, 'OPERATOR'),
    ANGEL_VIEWER: await account(t, 'ANGEL_VIEWER'),
  };
  const contexts: BrowserContext[] = [];
  return {
    t,
    base,
    browser,
    accounts,
    page: async (locale = 'en-US') => {
      const context = await browser.newContext({ baseURL: base, locale, viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10000);
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      return { page, context, violations };
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await t.close();
    },
  };
}

/** Signs in through the form, as a person would (the labels in either language). */
export async function signIn(page: Page, who: Account, path = '/admin'): Promise<void> {
  await page.goto(path);
  await page.getByLabel(/^(Email|E-mail)$/).fill(who.email);
  await page.getByLabel(/^(Password|Senha)$/).fill(who.password);
  await page.getByRole('button', { name: /^(Sign in|Entrar)$/ }).click();
  await page.getByRole('button', { name: /^(Sign out|Sair)$/ }).waitFor();
}

/**
 * The runbook's Phase 1 on a flag of its own: 10 beta passengers, `phase1_beta` (enabled, 0 %)
 * started, `phase2_one_percent` defined — made through the API, as a curl user would.
 */
export async function runbookFlag(h: ConsoleHarness, key: string): Promise<string> {
  const admin = h.accounts.SUPER_ADMIN.token;
  const http = h.t.http;
  await http
    .post('/api/admin/feature-flags')
    .auth(admin, { type: 'bearer' })
    .send({ key, description: 'Passenger Favorites Matching' })
    .expect(201);
  await http
    .post(`/api/admin/feature-flags/${key}/allowlist`)
    .auth(admin, { type: 'bearer' })
    .send({ subjectIds: RUNBOOK_BETA, note: 'Phase 1 beta group' })
    .expect(200);
  await http
    .put(`/api/admin/beta-monitor/${key}/phases`)
    .auth(admin, { type: 'bearer' })
    .send({ phases: RUNBOOK_PHASES })
    .expect(200);
  await http
    .post(`/api/admin/beta-monitor/${key}/phases/phase1_beta/start`)
    .auth(admin, { type: 'bearer' })
    .send({ reason: 'Phase 1 beta' })
    .expect(200);
  return key;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export type AxeFinding = Readonly<{ id: string; impact: string; help: string; nodes: string[] }>;

/** axe-core on the page as it is now (WCAG 2.1 A/AA and best practices): the serious and critical findings. */
export async function seriousA11yFindings(page: Page): Promise<AxeFinding[]> {
  // Evaluated through the DevTools protocol, not as a page script, so the strict CSP stays on.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{
            violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      nodes: v.nodes.map((n) => String(n.target.join(' '))),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Screenshots for docs/images, only when asked (CONSOLE_SCREENSHOTS=1): the README shows them. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  const dir = join(__dirname, '..', '..', 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
