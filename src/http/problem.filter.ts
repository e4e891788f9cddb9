import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { AppError } from 'src/http/app-error';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string | null;
  [key: string]: unknown;
};

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  412: 'VERSION_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** PostgreSQL SQLSTATEs that are the client's fault or a passing outage, never a 500. */
const SQLSTATE: Record<string, [HttpStatus, string, string]> = {
  '23505': [409, 'CONFLICT', 'A resource with the same unique value already exists.'],
  '23503': [409, 'CONFLICT', 'The resource refers to something that does not exist.'],
  '22P02': [400, 'VALIDATION_FAILED', 'A value has the wrong format.'],
  '22007': [400, 'VALIDATION_FAILED', 'A timestamp has the wrong format.'],
  '22008': [400, 'VALIDATION_FAILED', 'A timestamp is out of range.'],
  '22009': [400, 'VALIDATION_FAILED', 'A time zone offset is out of range.'],
  '22003': [400, 'VALIDATION_FAILED', 'A number is out of range.'],
  '22001': [400, 'VALIDATION_FAILED', 'A value is too long.'],
  '22021': [400, 'VALIDATION_FAILED', 'A value contains bytes that are not valid text.'],
  '22P05': [400, 'VALIDATION_FAILED', 'A value contains characters that cannot be stored.'],
  '40001': [409, 'CONFLICT', 'A concurrent change conflicted; retry the request.'],
  '40P01': [409, 'CONFLICT', 'A concurrent change conflicted; retry the request.'],
  '57P01': [503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly.'],
  '57P03': [503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly.'],
  '53300': [503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly.'],
  // statement_timeout and idle_in_transaction_session_timeout: the database did not answer in time.
  '57014': [503, 'DATABASE_UNAVAILABLE', 'The database did not answer in time; retry shortly.'],
  '25P03': [503, 'DATABASE_UNAVAILABLE', 'The database did not answer in time; retry shortly.'],
};

/** Nest hands Fastify's body-parsing errors over as HttpExceptions carrying Fastify's message. */
const MALFORMED_JSON = /not valid JSON|JSON body|Unexpected end of JSON/i;

const CONNECTION_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Query read timeout|Client was closed/i;

/** Turns every error into application/problem+json (RFC 9457) with a stable `code`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(error, request?.id ?? null);
    if (problem.status >= 500) {
      this.logger.error({ err: error, requestId: problem.requestId, code: problem.code }, 'Request failed');
    }
    sendProblem(reply, problem, error instanceof AppError ? error.headers : {});
  }

  toProblem(error: unknown, requestId: string | null): Problem {
    if (error instanceof AppError) {
      return problem(error.status, error.code, error.detail, requestId, error.extra);
    }
    if (error instanceof ThrottlerException) {
      return problem(429, 'RATE_LIMITED', 'Too many attempts; wait and retry.', requestId);
    }
    if (error instanceof HttpException && isHealthReport(error.getResponse())) {
      const report = error.getResponse() as HealthReport;
      const down = Object.keys(report.error ?? {}).join(', ');
      return problem(error.getStatus(), 'NOT_READY', `Not ready: ${down} down.`, requestId, {
        info: report.info,
        error: report.error,
        details: report.details,
      });
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const code = MALFORMED_JSON.test(error.message)
        ? 'MALFORMED_JSON'
        : (STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'));
      const detail = status === 404 ? 'No such route.' : status >= 500 ? 'The server failed.' : httpDetail(error);
      return problem(status, code, detail, requestId);
    }
    if (error instanceof QueryFailedError) {
      const sqlState = (error.driverError as { code?: string } | undefined)?.code;
      const mapped = sqlState ? SQLSTATE[sqlState] : undefined;
      if (mapped) return problem(mapped[0], mapped[1], mapped[2], requestId);
    }
    if (error instanceof Error && CONNECTION_FAILURE.test(error.message)) {
      return problem(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly.', requestId);
    }
    return problem(500, 'INTERNAL_ERROR', 'The server failed; the error was logged with the request id.', requestId);
  }
}

type HealthReport = { status: 'error'; info?: object; error?: object; details: object };

/** @nestjs/terminus reports a failed check as a 503 carrying every indicator's details. */
function isHealthReport(response: unknown): response is HealthReport {
  const report = response as Partial<HealthReport> | null;
  return (
    typeof report === 'object' && report !== null && report.status === 'error' && typeof report.details === 'object'
  );
}

function httpDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  return error.message;
}

export function problem(
  status: number,
  code: string,
  detail: string,
  requestId: string | null,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `https://flagdog.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail,
    code,
    ...extra,
    requestId,
  };
}

export function sendProblem(reply: FastifyReply, body: Problem, headers: Readonly<Record<string, string>> = {}): void {
  if (body.status === 401) reply.header('www-authenticate', 'Bearer realm="flagdog"');
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
}
