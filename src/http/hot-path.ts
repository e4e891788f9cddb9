import { CanActivate, ExceptionFilter, ForbiddenException, RequestMethod, Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  FILTER_CATCH_EXCEPTIONS,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { AccessLogPolicy } from 'src/http/access-log';

/** What a hot-path route runs: its controller and method, as declared. */
export type HotPathTarget = Readonly<{ controller: Type; handler: (...args: unknown[]) => unknown; name: string }>;

type HotPathConfig = { accessLog: AccessLogPolicy; hotPath: HotPathTarget };

/**
 * Marks an evaluation route as a hot path: called on every request of the services that ask
 * flagdog, so it is served without Nest's per-request pipeline (see HotPathRouter), and its
 * requests are logged only when they fail or are slow.
 *
 * The method must take `@Req()` and optionally `@Res()`, nothing else, and the route may not
 * declare its own guards, interceptors or pipes: start-up fails otherwise.
 */
export const HotPath = (): MethodDecorator => (target, key, descriptor) => {
  const handler = descriptor.value as HotPathTarget['handler'];
  const config: HotPathConfig = {
    accessLog: 'errors-and-slow',
    hotPath: { controller: target.constructor as Type, handler, name: String(key) },
  };
  RouteConfig(config)(target, key, descriptor);
};

/** The hot-path target of a route from its Fastify config, if it has one. */
export function hotPathOf(config: unknown): HotPathTarget | undefined {
  return (config as Partial<HotPathConfig> | undefined)?.hotPath;
}

type Resolve = <T>(type: Type<T>) => T;

/** What a hot-path route needs per request, resolved once on its first request. */
type Plan = {
  instance: object;
  filters: ExceptionFilter[];
  status: number;
  sendsItself: boolean;
};

/**
 * Serves hot-path routes straight from Fastify's route handler: the same access guard, the
 * same controller method, the same exception filters as Nest's router would run, without the
 * router's per-request promise chain (guards, interceptors, pipes and response handling each
 * awaited in turn). Every other route goes through Nest unchanged.
 *
 * The route stays a Nest route in every other respect: it is declared on a controller, listed
 * in OpenAPI, registered with Fastify by Nest (with its schema and config), counted and logged
 * by the same hooks, and walked by the access test like any other.
 */
export class HotPathRouter {
  constructor(
    private readonly resolve: Resolve,
    private readonly guard: Type<CanActivate>,
    private readonly globalFilter: ExceptionFilter,
  ) {}

  /** The Fastify handler of a hot-path route. Throws if the route cannot be one. */
  handlerFor(target: HotPathTarget): RouteHandlerMethod {
    assertLean(target);
    const { controller, handler } = target;
    let plan: Plan | undefined;
    let guard: CanActivate | undefined;
    const fail = (error: unknown, context: ExecutionContextHost): void => {
      const filter = plan!.filters.find((candidate) => catches(candidate, error))!;
      try {
        filter.catch(error, context);
      } catch (filterError) {
        // A filter that throws: the global filter answers for it, as Nest's pipeline would.
        if (filter === this.globalFilter) throw filterError;
        this.globalFilter.catch(filterError, context);
      }
    };
    /** Never throws: on the asynchronous paths a throw would be an unhandled rejection. */
    const failSafely = (error: unknown, context: ExecutionContextHost): void => {
      try {
        fail(error, context);
      } catch {
        const reply = context.switchToHttp().getResponse<FastifyReply>();
        if (!reply.sent) void reply.code(500).send();
      }
    };
    const send = (reply: FastifyReply, result: unknown): void => {
      if (!plan!.sendsItself) void reply.code(plan!.status).send(result);
    };
    const respond = (request: FastifyRequest, reply: FastifyReply, context: ExecutionContextHost): void => {
      try {
        const result = handler.call(plan!.instance, request, reply);
        // The evaluation methods answer synchronously; an async one is awaited, as Nest would.
        if (result instanceof Promise) {
          result.then(
            (value: unknown) => {
              try {
                send(reply, value);
              } catch (error) {
                failSafely(error, context);
              }
            },
            (error: unknown) => failSafely(error, context),
          );
        } else {
          send(reply, result);
        }
      } catch (error) {
        failSafely(error, context);
      }
    };
    return (request, reply) => {
      if (hasEmptyParam(request.params)) {
        reply.callNotFound();
        return;
      }
      plan ??= this.plan(target);
      guard ??= this.resolve(this.guard);
      const context = new ExecutionContextHost([request, reply, undefined], controller, handler);
      context.setType('http');
      // As in Nest: a truthy answer lets the request through, a falsy one refuses it with 403. An
      // object (an Observable) is not supported here and fails rather than passing as truthy.
      const decide = (answer: unknown): void => {
        if (typeof answer === 'object' && answer !== null) {
          failSafely(new Error('The access guard answered an object; hot paths take a boolean or a promise.'), context);
        } else if (answer) {
          respond(request, reply, context);
        } else {
          failSafely(new ForbiddenException(FORBIDDEN_MESSAGE), context);
        }
      };
      let allowed: unknown;
      try {
        allowed = guard.canActivate(context);
      } catch (error) {
        failSafely(error, context);
        return;
      }
      // A service token is checked synchronously; a signed-in user's JWT asynchronously.
      if (allowed instanceof Promise) {
        allowed.then(decide, (error: unknown) => failSafely(error, context));
        return;
      }
      decide(allowed);
    };
  }

  private plan(target: HotPathTarget): Plan {
    const { controller, handler } = target;
    const own = [
      ...((Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, handler) as unknown[] | undefined) ?? []),
      ...((Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, controller) as unknown[] | undefined) ?? []),
    ].map((filter) => (typeof filter === 'function' ? this.instanceOf(filter as Type<ExceptionFilter>) : filter));
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, target.name) as
      Record<string, unknown> | undefined;
    return {
      instance: this.resolve(controller),
      filters: [...(own as ExceptionFilter[]), this.globalFilter],
      status:
        (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
        (Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.POST ? 201 : 200),
      sendsItself: Object.keys(args ?? {}).some((key) => key.startsWith(`${RouteParamtypes.RESPONSE}:`)),
    };
  }

  /** A filter from the container when it is a provider there, else constructed, as Nest does. */
  private instanceOf(type: Type<ExceptionFilter>): ExceptionFilter {
    try {
      return this.resolve(type) ?? new type();
    } catch {
      return new type();
    }
  }
}

/** Nest's answer when a guard refuses without saying why. */
const FORBIDDEN_MESSAGE = 'Forbidden resource';

/** The first filter whose @Catch names the error (or names nothing) handles it, as in Nest. */
function catches(filter: ExceptionFilter, error: unknown): boolean {
  const types = (Reflect.getMetadata(FILTER_CATCH_EXCEPTIONS, filter.constructor) as Type[] | undefined) ?? [];
  return types.length === 0 || types.some((type) => error instanceof type);
}

/** As Nest's Fastify adapter: a route parameter matched by an empty segment is not this route. */
function hasEmptyParam(params: unknown): boolean {
  const record = params as Record<string, string> | undefined;
  for (const name in record) if (record[name] === '' && name !== '*') return true;
  return false;
}

/** A hot path runs only the global access guard and the method: refuse routes that expect more. */
function assertLean({ controller, handler, name }: HotPathTarget): void {
  const where = `${controller.name}.${name}`;
  for (const [key, what] of [
    [GUARDS_METADATA, 'guards'],
    [INTERCEPTORS_METADATA, 'interceptors'],
    [PIPES_METADATA, 'pipes'],
  ] as const) {
    const declared = [
      ...((Reflect.getMetadata(key, handler) as unknown[] | undefined) ?? []),
      ...((Reflect.getMetadata(key, controller) as unknown[] | undefined) ?? []),
    ];
    if (declared.length > 0) throw new Error(`@HotPath() route ${where} declares its own ${what}; hot paths run none.`);
  }
  for (const [key, what] of [
    [HEADERS_METADATA, '@Header()'],
    [REDIRECT_METADATA, '@Redirect()'],
    [RENDER_METADATA, '@Render()'],
    [SSE_METADATA, '@Sse()'],
  ] as const) {
    if (Reflect.getMetadata(key, handler) !== undefined) {
      throw new Error(`@HotPath() route ${where} uses ${what}, which hot paths do not apply.`);
    }
  }
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) as Record<string, { index: number }>) ?? {};
  const passthrough = Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, name) === true;
  for (const [key, { index }] of Object.entries(args)) {
    const type = Number(key.split(':')[0]);
    const expected = index === 0 ? RouteParamtypes.REQUEST : index === 1 ? RouteParamtypes.RESPONSE : undefined;
    if (type !== expected || passthrough) {
      throw new Error(`@HotPath() route ${where} may take only (@Req(), @Res()?) parameters, without passthrough.`);
    }
  }
}
