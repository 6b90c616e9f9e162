import { maskDsn, redactSecrets } from '../src';

describe('maskDsn', () => {
  test.each([
    ['postgres://reel:s3cret@db:5432/reelwatch', 'postgres://reel:****@db:5432/reelwatch'],
    [
      'postgresql://reel:s3cret@db/reelwatch?sslmode=require',
      'postgresql://reel:****@db/reelwatch?sslmode=require',
    ],
    ['postgres://reel:p@ss:w/rd@db/reelwatch', 'postgres://reel:****@db/reelwatch'],
    ['postgres://:onlypass@db/reelwatch', 'postgres://:****@db/reelwatch'],
    [
      'postgres://reel@db/reelwatch?password=s3cret&sslmode=disable',
      'postgres://reel@db/reelwatch?password=****&sslmode=disable',
    ],
    [
      'host=db port=5432 user=reel password=s3cret dbname=reelwatch',
      'host=db port=5432 user=reel password=**** dbname=reelwatch',
    ],
    ["host=db password='with space\\' quote' dbname=x", 'host=db password=**** dbname=x'],
    ['host=db password = s3cret sslpassword=k3y', 'host=db password = **** sslpassword=****'],
    [
      'postgres://a:one@h1:5432/db,postgres://b:two@h2:5432/db',
      'postgres://a:****@h1:5432/db,postgres://b:****@h2:5432/db',
    ],
    ['host=h1 password=one,host=h2 password=two', 'host=h1 password=****,host=h2 password=****'],
  ])('masks the password in %s', (input, expected) => {
    expect(maskDsn(input)).toBe(expected);
  });

  test.each([
    'postgres://reel@db:5432/reelwatch',
    'postgres://db:5432/reelwatch',
    'host=db port=5432 user=reel dbname=reelwatch',
    'redis://127.0.0.1:6379',
  ])('leaves %s without a password unchanged', (input) => {
    expect(maskDsn(input)).toBe(input);
  });
});

describe('redactSecrets', () => {
  test('masks secret-named keys and DSN passwords anywhere in a config object', () => {
    expect(
      redactSecrets({
        INGESTION_PG_PASSWORD: 'hunter2',
        INGESTION_API_TOKEN: 'tok',
        INGESTION_DATABASE_URL: 'postgres://reel:hunter2@db/reelwatch',
        INGESTION_BROKERS: ['k1:9092'],
        nested: { secret: 'x', port: 1 },
        EMPTY_PASSWORD: '',
      }),
    ).toEqual({
      INGESTION_PG_PASSWORD: '****',
      INGESTION_API_TOKEN: '****',
      INGESTION_DATABASE_URL: 'postgres://reel:****@db/reelwatch',
      INGESTION_BROKERS: ['k1:9092'],
      nested: { secret: '****', port: 1 },
      EMPTY_PASSWORD: '',
    });
  });
});
