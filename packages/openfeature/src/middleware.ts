import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { RequestScope, requestScopes } from './request-scope';
import type { FlagdogTelemetry } from './flagdog-telemetry';

/** The request as Express (and NestJS on Express) hands it on; plain node:http requests work too. */
type NodeRequest = IncomingMessage & { originalUrl?: string; baseUrl?: string; route?: { path?: unknown } };
export type NodeMiddleware = (request: NodeRequest, response: ServerResponse, next: (error?: unknown) => void) => void;

/** The parts of Fastify (4 and 5) the plugin uses, so this package needs no Fastify types. */
type FastifyRequestLike = { url: string; routeOptions?: { url?: string } };
type FastifyReplyLike = { statusCode: number };
type HookDone = (error?: Error) => void;
type FastifyInstanceLike = {
  addHook(
    name: 'onRequest' | 'preHandler' | 'onResponse',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: HookDone) => void,
  ): unknown;
};
export type FastifyPlugin = ((instance: FastifyInstanceLike, options: unknown, done: HookDone) => void) &
  Record<symbol, unknown>;

const pathOf = (url: string | undefined): string => (url ?? '/').split('?')[0] ?? '/';

/** The route template when the framework knows it (`/match/:id`), else the path. flagdog does not store it. */
function expressRoute(request: NodeRequest): string {
  const template = request.route?.path;
  if (typeof template === 'string') return `${request.baseUrl ?? ''}${template}`;
  return pathOf(request.originalUrl ?? request.url);
}

/**
 * Opens the request's scope around the rest of its handling (`next` runs inside it), and
 * reports when the response is finished. A response closed before it finished (the client
 * went away) has no status the client saw, and is not reported.
 */
export function nodeMiddleware(telemetry: FlagdogTelemetry): NodeMiddleware {
  return (request, response, next) => {
    const scope = new RequestScope();
    const started = performance.now();
    response.once('finish', () =>
      telemetry.requestFinished(scope, expressRoute(request), response.statusCode, performance.now() - started),
    );
    requestScopes.run(scope, () => next());
  };
}

/**
 * Hooks on the whole app (the plugin skips Fastify's encapsulation, as `fastify-plugin`
 * does). The scope is entered in `onRequest` and again in `preHandler`, because body parsing
 * runs on stream events outside the request's asynchronous context.
 */
export function fastifyPlugin(telemetry: FlagdogTelemetry): FastifyPlugin {
  const requests = new WeakMap<object, { scope: RequestScope; started: number }>();
  const plugin = ((instance, _options, done) => {
    instance.addHook('onRequest', (request, _reply, next) => {
      const scope = new RequestScope();
      requests.set(request, { scope, started: performance.now() });
      requestScopes.run(scope, () => next());
    });
    instance.addHook('preHandler', (request, _reply, next) => {
      const scope = requests.get(request)?.scope;
      if (scope === undefined) next();
      else requestScopes.run(scope, () => next());
    });
    instance.addHook('onResponse', (request, reply, next) => {
      const entry = requests.get(request);
      if (entry !== undefined) {
        const route = request.routeOptions?.url ?? pathOf(request.url);
        telemetry.requestFinished(entry.scope, route, reply.statusCode, performance.now() - entry.started);
      }
      next();
    });
    done();
  }) as FastifyPlugin;
  plugin[Symbol.for('skip-override')] = true;
  plugin[Symbol.for('fastify.display-name')] = '@flagdog/openfeature';
  return plugin;
}
