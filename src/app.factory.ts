import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, AppOptions } from 'src/app.module';
import { AppConfig } from 'src/config/app-config';
import { problem, ProblemFilter, sendProblem } from 'src/http/problem.filter';
import { quietFrameworkLogger } from 'src/http/quiet-framework-logger';
import { StrictValidationPipe } from 'src/http/strict-validation.pipe';
import { MetricsService } from 'src/metrics/metrics.service';
import { setupOpenApi } from 'src/openapi/openapi';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Two bulk routes take more than 1 MiB in the worst case: the allowlist add (10,000 IDs of up to
 * 128 characters, up to 4 UTF-8 bytes each) and telemetry (5,000 events with long routes).
 */
const LARGE_BODY_ROUTES = new Map([
  ['POST /api/admin/feature-flags/:key/allowlist', 6 * 1024 * 1024],
  ['POST /api/telemetry/events', 4 * 1024 * 1024],
]);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** An incoming X-Request-Id is kept when it is sane; otherwise a fresh one is made. */
function requestIdOf(raw: IncomingMessage): string {
  const header = raw.headers['x-request-id'];
  const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
  (raw as IncomingMessage & { id: string }).id = id;
  return id;
}

/** Builds the whole flagdog application, ready to listen: used by main, the CLI and the tests. */
export async function createApp(config: AppConfig, options: AppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    requestIdHeader: false,
    routerOptions: { maxParamLength: 2048 },
    // Errors Fastify raises before routing (a malformed URL) get the same problem+json.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      sendProblem(reply, problem(400, 'BAD_REQUEST', 'The URL is not valid.', request.id));
    },
  });
  adapter.getInstance().addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const limit = LARGE_BODY_ROUTES.get(`${method} ${route.url}`);
      if (limit !== undefined) route.bodyLimit = limit;
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
  });
  app.useLogger(quietFrameworkLogger(app.get(Logger)));
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new StrictValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.get(MetricsService).instrument(fastify);
  await setupOpenApi(app);
  await app.init();
  return app;
}
