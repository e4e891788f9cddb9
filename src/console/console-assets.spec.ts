import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets, CONSOLE_SECURITY_HEADERS } from 'src/console/console-assets';

describe('ConsoleAssets', () => {
  it('answers only files of the build, with their type, and marks hashed assets immutable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-build-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    const assets = ConsoleAssets.load(dir);
    expect(assets.built).toBe(true);
    expect(assets.index?.type).toBe('text/html; charset=utf-8');
    expect(assets.index?.immutable).toBe(false);
    expect(assets.file('assets/index-abc123.js')).toMatchObject({
      type: 'text/javascript; charset=utf-8',
      immutable: true,
    });
    expect(assets.file('../package.json')).toBeUndefined();
    expect(assets.file('assets/../../package.json')).toBeUndefined();
  });

  it('knows when the console was not built', () => {
    const assets = ConsoleAssets.load(null);
    expect([assets.built, assets.index]).toEqual([false, undefined]);
  });

  it('forbids inline script and framing', () => {
    const csp = CONSOLE_SECURITY_HEADERS['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe/);
  });
});
