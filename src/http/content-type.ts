import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from 'src/http/app-error';

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/i;

/** Whether the request carries a body at all (a length above zero, or a chunked one). */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  return (
    headers['transfer-encoding'] !== undefined ||
    (headers['content-length'] !== undefined && headers['content-length'] !== '0')
  );
}

/**
 * Every body this API takes is JSON. A body sent without `Content-Type: application/json` (curl's
 * `-d` sends `application/x-www-form-urlencoded`, fetch a string as `text/plain`) is refused as a
 * whole with one message that names the header, before anything parses it: otherwise it would be
 * read as a form whose one field is named after the whole body.
 */
export function contentTypeProblem(headers: IncomingHttpHeaders): AppError | null {
  if (!hasBody(headers)) return null;
  const header = headers['content-type'];
  // What every client sends: decided without splitting the header (this runs on every request).
  if (header === 'application/json' || header === 'application/json; charset=utf-8') return null;
  const mediaType = typeof header === 'string' ? header.split(';')[0].trim() : '';
  if (JSON_MEDIA_TYPE.test(mediaType)) return null;
  if (mediaType === '') {
    return new AppError(
      415,
      'CONTENT_TYPE_MISSING',
      'The request has a body but no Content-Type. Send the body as JSON with the header Content-Type: application/json.',
    );
  }
  const shown = mediaType.length > 100 ? `${mediaType.slice(0, 100)}…` : mediaType;
  return new AppError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `The body was sent as ${shown}; this API reads JSON only. Send it with the header Content-Type: application/json.`,
    { contentType: shown },
  );
}
