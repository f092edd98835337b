import type { NextFunction, Request, Response } from 'express';
import type { OriginPolicy } from '../auth/origin-policy.ts';
import { ErrorCode } from './errors.ts';

/** A request error in GraphQL's JSON shape, with a code from the fixed set. */
export function sendRequestError(
  res: Response,
  status: number,
  code: ErrorCode,
  message: string,
): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Express middleware: browsers on other origins are refused, as on the WebSocket endpoint. */
export function refuseForeignOrigins(policy: OriginPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const refusal = policy.refusal(req);
    if (refusal) sendRequestError(res, 403, ErrorCode.FORBIDDEN, refusal);
    else next();
  };
}

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message?: string;
}

/**
 * Express error handler: a body that is not JSON, too large or in an unknown encoding is answered
 * in GraphQL's JSON error shape with BAD_USER_INPUT, never with Express's HTML page; anything else
 * is logged and answered INTERNAL_SERVER_ERROR without internals.
 */
export function answerRequestErrors(
  error: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (res.headersSent) return next(error);
  const { type, status, limit, message } = (error ?? {}) as BodyParserError;
  if (type === 'entity.parse.failed') {
    return sendRequestError(
      res,
      400,
      ErrorCode.BAD_USER_INPUT,
      `the request body is not valid JSON (${message}); send {"query": "...", "variables": {...}}`,
    );
  }
  if (type === 'entity.too.large') {
    return sendRequestError(
      res,
      413,
      ErrorCode.BAD_USER_INPUT,
      `the request body is larger than the ${limit} bytes allowed; send a shorter query or ` +
        'fewer variables (queueSweep queues many runs in one small request)',
    );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return sendRequestError(res, status, ErrorCode.BAD_USER_INPUT, `bad request: ${message}`);
  }
  console.error('[api] internal error:', error);
  sendRequestError(
    res,
    500,
    ErrorCode.INTERNAL_SERVER_ERROR,
    'internal server error; the API log has the details',
  );
}
