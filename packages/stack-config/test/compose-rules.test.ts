// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose's ${VAR} interpolation is what these tests feed in
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composeProblems } from '@reelwatch/stack-config';

describe('composeProblems on a broken Compose file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'reelwatch-compose-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('names every broken rule', () => {
    writeFileSync(
      path.join(dir, 'docker-compose.yml'),
      [
        'services:',
        '  db:',
        '    image: postgres',
        '    profiles: [app]',
        '    environment:',
        '      POSTGRES_PASSWORD: ${DB_PASSWORD:-secret}',
        '  web:',
        '    image: nginx:latest',
        '    profiles: [app]',
        '    container_name: web',
        '    ports: ["8080:80"]',
        '    volumes: ["./missing.conf:/etc/nginx/nginx.conf:ro"]',
        '    depends_on:',
        '      db:',
        '        condition: service_healthy',
        '  grafana:',
        '    image: grafana/grafana:12.2.0',
        '    profiles: [monitoring]',
        '    environment:',
        '      X: ${NOT_IN_EXAMPLE}',
        '    depends_on: [web]',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, '.env.example'), 'DB_PASSWORD=change-me\nUNUSED=1\n');
    const problems = composeProblems({
      composeFile: path.join(dir, 'docker-compose.yml'),
      envExampleFile: path.join(dir, '.env.example'),
      scalable: ['web'],
      profiles: ['app', 'monitoring'],
    });
    expect(problems.sort()).toEqual(
      [
        '.env.example sets UNUSED, which docker-compose.yml never uses',
        'db: image postgres is not pinned to a tag or digest',
        'grafana: depends on web of another profile (that part could not start alone)',
        'grafana: depends on web without condition service_healthy',
        'variable DB_PASSWORD has a default value: secrets must come from .env (use ${DB_PASSWORD:?...})',
        'variable NOT_IN_EXAMPLE is used but not in .env.example',
        'web: a scalable service cannot have a container_name',
        'web: a scalable service cannot publish host ports',
        'web: image nginx:latest is not pinned to a tag or digest',
        'web: mounted or built path missing.conf does not exist',
        'web: waits for db to be healthy, but db has no healthcheck',
      ].sort(),
    );
  });
});
