import { parseDsn, resolveDataSources, serverLabel, splitDsnList, toConnectionUri } from '../src/dsn';

describe('parseDsn', () => {
  it('reads a URI with password, port, database and options', () => {
    const ds = parseDsn('postgresql://exporter:s%40cret@db.example:6432/app?sslmode=disable');
    expect(ds).toEqual({
      host: 'db.example',
      port: 6432,
      database: 'app',
      user: 'exporter',
      password: 's@cret',
      options: { sslmode: 'disable' },
    });
  });

  it('reads the key=value form with quoted values', () => {
    const ds = parseDsn(
      "host=10.0.0.1 port=5433 user=monitor password='a b\\'c' dbname=postgres sslmode=disable",
    );
    expect(ds).toMatchObject({
      host: '10.0.0.1',
      port: 5433,
      user: 'monitor',
      password: "a b'c",
      database: 'postgres',
    });
    expect(ds.options).toEqual({ sslmode: 'disable' });
  });

  it('labels a server host:port/db without the password', () => {
    const label = serverLabel(parseDsn('postgres://u:topsecret@127.0.0.1:5432/reelwatch'));
    expect(label).toBe('127.0.0.1:5432/reelwatch');
    expect(label).not.toContain('topsecret');
  });

  it('rejects text that is neither a URI nor key=value pairs', () => {
    expect(() => parseDsn('just-a-host')).toThrow(expect.objectContaining({ code: 'DSN_INVALID' }));
  });

  it('builds a URI for another database on the same server', () => {
    expect(toConnectionUri(parseDsn('postgresql://u:p@h:1/a?sslmode=disable'), 'b')).toBe(
      'postgresql://u:p@h:1/b?sslmode=disable',
    );
  });
});

describe('resolveDataSources', () => {
  it('splits a comma-separated DATA_SOURCE_NAME into several servers', () => {
    const list = 'postgresql://a@p:5432/db,postgresql://a@r:5433/db';
    expect(splitDsnList(list)).toHaveLength(2);
    expect(resolveDataSources({ DATA_SOURCE_NAME: list }).map(serverLabel)).toEqual([
      'p:5432/db',
      'r:5433/db',
    ]);
  });

  it('combines DATA_SOURCE_URI with DATA_SOURCE_USER and DATA_SOURCE_PASS when DATA_SOURCE_NAME is empty', () => {
    const [ds] = resolveDataSources({
      DATA_SOURCE_NAME: '',
      DATA_SOURCE_URI: 'h1:5432/postgres?sslmode=disable',
      DATA_SOURCE_USER: 'mon',
      DATA_SOURCE_PASS: 'pw',
    });
    expect(ds).toMatchObject({ host: 'h1', port: 5432, database: 'postgres', user: 'mon', password: 'pw' });
  });
});
