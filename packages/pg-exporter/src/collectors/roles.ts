import type { Collector } from '../collector';
import { num, type Sample, sample } from '../exposition';

export const SQL = 'SELECT rolname, rolconnlimit FROM pg_roles';

export const roles: Collector = {
  name: 'roles',
  defaultEnabled: true,
  scope: 'server',
  description: 'connection limit of every role (`pg_roles`)',
  async collect(ctx) {
    const out: Sample[] = [];
    for (const row of await ctx.query(SQL)) {
      const limit = num(row.rolconnlimit);
      if (row.rolname === null || limit === undefined) continue;
      out.push(
        sample(
          'pg_roles_connection_limit',
          'Connection limit set for the role',
          'gauge',
          { rolname: String(row.rolname) },
          limit,
        ),
      );
    }
    return out;
  },
};
