/** Errors of the HTTP layer. */

/** A protocol error answered with Moonbridge's built-in error response. */
export class HttpError extends Error {
  constructor(readonly status: string, readonly text?: string) {
    super(text === undefined ? status : `${status}: ${text}`);
    this.name = 'HttpError';
  }
}

/** Misuse of the request/response API by the application. */
export class HttpUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpUsageError';
  }
}

/** The body of a built-in error response: "<status>\n" plus "\n<text>\n". */
export function errorResponseBody(status: string, text?: string): string {
  return `${status}\n` + (text === undefined || text === '' ? '' : `\n${text}\n`);
}

/**
 * A protocol error while reading a request body (after the handler was
 * called), raised into Lua with Moonbridge's message. answered: the built-in
 * error response replaced the application's response.
 */
export class RequestReadError extends Error {
  constructor(readonly httpError: HttpError, answered: boolean) {
    super((answered ? 'Error while reading request from client. Error response: ' : 'Error while reading request from client: ') +
      httpError.status + (httpError.text === undefined ? "" : ` (${httpError.text})`));
    this.name = 'RequestReadError';
  }
}
