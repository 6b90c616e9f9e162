import type { Request } from 'express';

/** A stand-in for an express request: what the API's parameter helpers read. */
export function request(
  query: Record<string, string> = {},
  params: Record<string, string> = {},
  body: Record<string, unknown> = {},
): Request {
  return { query, params, body } as unknown as Request;
}
