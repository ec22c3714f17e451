import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './database-url';

describe(parseDatabaseUrl.name, () => {
  it.each([
    ['sqlite:data/agent_runtime.db', { type: 'sqlite', path: 'data/agent_runtime.db' }],
    ['sqlite:./rel/dir/x.db', { type: 'sqlite', path: './rel/dir/x.db' }],
    ['sqlite:/var/lib/codelab/x.db', { type: 'sqlite', path: '/var/lib/codelab/x.db' }],
    ['sqlite:///var/lib/codelab/x.db', { type: 'sqlite', path: '/var/lib/codelab/x.db' }],
    ['sqlite::memory:', { type: 'sqlite', path: ':memory:' }],
    ['postgres://user:pass@db:5432/codelab', { type: 'postgres', url: 'postgres://user:pass@db:5432/codelab' }],
    ['postgresql://db/codelab?sslmode=require', { type: 'postgres', url: 'postgresql://db/codelab?sslmode=require' }],
  ])('accepts %s', (raw, expected) => {
    expect(parseDatabaseUrl(raw)).toEqual(expected);
  });

  it.each([
    'sqlite:',
    'data/agent_runtime.db',
    'mysql://user@db/codelab',
    'postgres://db',
    'postgres://db/',
    'postgres:/db/codelab',
    'http://db/codelab',
  ])('rejects %s', (raw) => {
    expect(parseDatabaseUrl(raw)).toBeNull();
  });

  it('parses the default', () => {
    expect(parseDatabaseUrl(DEFAULT_DATABASE_URL)).toEqual({ type: 'sqlite', path: 'data/agent_runtime.db' });
  });
});
