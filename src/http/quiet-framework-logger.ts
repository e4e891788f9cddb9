import type { LoggerService } from '@nestjs/common';

/** Nest's own start-up chatter: one line per module, controller and route. Kept, at debug. */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Wraps the application logger so the framework's start-up lines go to `debug`: at `info` the
 * start-up log is the handful of lines an operator reads (version, database, address, where the
 * initial password is, active master switches).
 */
export function quietFrameworkLogger(logger: LoggerService): LoggerService {
  const isFramework = (params: unknown[]): boolean => {
    const context = params.at(-1);
    return typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
  };
  return {
    log: (message: unknown, ...params: unknown[]) =>
      isFramework(params) ? logger.debug?.(message, ...params) : logger.log(message, ...params),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}
