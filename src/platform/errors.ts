/**
 * Typed errors raised by services; each API family's error handler maps them to
 * its wire shape (ECM: `{"errors": [...]}`; ECP: `{"result": "Error", "error"}`).
 * STYLE.md rule 8: 5xx details never reach the client.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }
}

/** 404: the resource does not exist or belongs to another organization (same answer for both). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, [message]);
  }
}

/** 422: one message per problem, in full sentences (`Message can't be blank`). */
export class ValidationError extends AppError {
  constructor(messages: string[]) {
    super(422, messages);
  }
}

/** 401: missing, unknown, expired or revoked credentials. */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(401, [message]);
  }
}

/** 403: authenticated, but the role or scope does not allow it. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, [message]);
  }
}

/** 429: throttled; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, [message]);
  }
}

/** 502: an upstream provider (Twilio) failed; the message says whether anything was sent. */
export class BadGatewayError extends AppError {
  constructor(message: string) {
    super(502, [message]);
  }
}

/** True for PostgreSQL's unique_violation on the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; cause?: unknown };
  if (e?.code === '23505') return constraint === undefined || e.constraint === constraint;
  return e?.cause !== undefined && e.cause !== err ? isUniqueViolation(e.cause, constraint) : false;
}
