import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface AuthOptions {
  /** accepted `user:password` pairs (Flower's --basic-auth) */
  basic: string[];
  /** accepted bearer token; '' = none */
  token: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when some credential is configured; without any the monitor is open, as Flower is. */
export function authEnabled(options: AuthOptions): boolean {
  return options.basic.length > 0 || options.token !== '';
}

/** Basic or bearer authentication; 401 with a Basic challenge when neither matches. */
export function requireAuth(options: AuthOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!authEnabled(options)) {
      next();
      return;
    }
    const header = req.headers.authorization ?? '';
    const [scheme, value = ''] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && options.token !== '' && same(value, options.token)) {
      next();
      return;
    }
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      if (options.basic.some((pair) => same(decoded, pair))) {
        next();
        return;
      }
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="task-monitor"');
    res.status(401).json({ error: 'authentication required' });
  };
}
