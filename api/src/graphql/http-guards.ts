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
