import { Controller, Get, Headers, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from 'src/auth/access.decorator';
import { ConsoleAssets, CONSOLE_SECURITY_HEADERS, ConsoleFile } from 'src/console/console-assets';
import { AppError } from 'src/http/app-error';

export const CONSOLE_HOME = '/admin/feature-flags';

/**
 * The operator console: static files only, no data. These routes are declared @Public like
 * login and health (the page itself is no secret; every piece of data it shows comes from the
 * API, where the global guard checks the caller's token and role on each request).
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  @Public()
  @Redirect(CONSOLE_HOME, 302)
  root(): void {}

  @Get('admin')
  @Public()
  @Redirect(CONSOLE_HOME, 302)
  admin(): void {}

  /** A file of the build, or the single page for any client-side route under /admin/. */
  @Get('admin/*')
  @Public()
  page(
    @Param('*') path: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    const file = this.assets.file(path) ?? (path.startsWith('assets/') ? undefined : this.assets.index);
    if (file === undefined) {
      throw this.assets.built
        ? new AppError(404, 'NOT_FOUND', 'No such console file.')
        : new AppError(404, 'CONSOLE_NOT_BUILT', 'The console is not built: run `npm run build`.');
    }
    this.send(reply, file, ifNoneMatch);
  }

  private send(reply: FastifyReply, file: ConsoleFile, ifNoneMatch: string | undefined): void {
    reply
      .headers(CONSOLE_SECURITY_HEADERS)
      .header('etag', file.etag)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (ifNoneMatch === file.etag) {
      reply.code(304).send();
      return;
    }
    reply.type(file.type).send(file.body);
  }
}
