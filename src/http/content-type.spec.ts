import { contentTypeProblem } from 'src/http/content-type';

const withBody = (contentType?: string) => ({
  'content-length': '12',
  ...(contentType === undefined ? {} : { 'content-type': contentType }),
});

describe('contentTypeProblem', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON; charset=UTF-8',
    'application/json;charset=utf-8',
    ' application/json ',
    'application/merge-patch+json',
    'application/vnd.flagdog+json; version=1',
  ])('reads a body sent as %j', (contentType) => {
    expect(contentTypeProblem(withBody(contentType))).toBeNull();
  });

  it('does not ask a request without a body for a Content-Type', () => {
    expect(contentTypeProblem({})).toBeNull();
    expect(contentTypeProblem({ 'content-length': '0', 'content-type': 'text/plain' })).toBeNull();
  });

  it('refuses a body without a Content-Type, or of another type, with 415 and what to send', () => {
    expect(contentTypeProblem(withBody())).toMatchObject({ status: 415, code: 'CONTENT_TYPE_MISSING' });
    expect(contentTypeProblem({ 'transfer-encoding': 'chunked' })).toMatchObject({ code: 'CONTENT_TYPE_MISSING' });
    const form = contentTypeProblem(withBody('application/x-www-form-urlencoded'));
    expect(form).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(form?.detail).toContain('Content-Type: application/json');
    expect(contentTypeProblem(withBody('application/jsonx'))).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});
