import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/**
 * The console's own security headers. Its bundle has no inline script or style, talks only to
 * this origin, and is never framed; the API's responses keep their own (JSON) headers.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export type ConsoleFile = Readonly<{ body: Buffer; type: string; etag: string; immutable: boolean }>;

/** Where `npm run build` leaves the console: `console/dist` at the project root. */
function findBuild(): string | null {
  // __dirname is src/console under jest and dist/src/console once compiled.
  for (const root of [join(__dirname, '..', '..'), join(__dirname, '..', '..', '..')]) {
    const dir = join(root, 'console', 'dist');
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * The built console, read once at start-up into memory (a few hundred KB): a request never
 * touches the file system, and only files that exist in the build can ever be answered.
 */
export class ConsoleAssets {
  private constructor(private readonly files: ReadonlyMap<string, ConsoleFile>) {}

  static load(dir: string | null = findBuild()): ConsoleAssets {
    const files = new Map<string, ConsoleFile>();
    if (dir !== null) {
      for (const path of walk(dir)) {
        const body = readFileSync(path);
        const name = relative(dir, path).split(sep).join('/');
        files.set(name, {
          body,
          type: TYPES[extname(path)] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          // Vite puts content-hashed names under assets/: they never change.
          immutable: name.startsWith('assets/'),
        });
      }
    }
    return new ConsoleAssets(files);
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  /** A file of the build by its path under /admin/, or undefined. */
  file(path: string): ConsoleFile | undefined {
    return this.files.get(path);
  }

  get index(): ConsoleFile | undefined {
    return this.files.get('index.html');
  }
}
