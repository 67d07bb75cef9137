import { describe, expect, it } from 'vitest';
import { checkServerConfig, configWith, isProduction, loadConfig, publicBaseUrl } from './env.ts';

describe('loadConfig', () => {
  it('starts the embedded portal with defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DATABASE_URL: 'file:data/gopy.db',
      HOST: '127.0.0.1',
      PORT: 4321,
      PUBLIC_ORIGINS: [],
      SITE_DIR: 'dist',
      CONTENT_DIR: 'content',
      BODY_LIMIT_BYTES: 64 * 1024,
      LOG_LEVEL: 'info',
    });
    expect(config.DATABASE_AUTH_TOKEN).toBeUndefined();
  });

  it('reads nothing but the object it is given', () => {
    const saved = process.env.PORT;
    process.env.PORT = '9999';
    try {
      expect(loadConfig({}).PORT).toBe(4321);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('accepts a libsql:// URL and its token unchanged', () => {
    const config = loadConfig({
      DATABASE_URL: 'libsql://gopy-khanhhoa.example.turso.io',
      DATABASE_AUTH_TOKEN: 'eyJhbGciOiJFZERTQSJ9.eyJhIjoicncifQ.c2lnbmF0dXJl',
    });
    expect(config.DATABASE_URL).toBe('libsql://gopy-khanhhoa.example.turso.io');
    expect(config.DATABASE_AUTH_TOKEN).toBe('eyJhbGciOiJFZERTQSJ9.eyJhIjoicncifQ.c2lnbmF0dXJl');
  });

  it.each([
    'file:/var/lib/gopy/gopy.db',
    'http://127.0.0.1:8080',
    'https://db.example',
    'ws://db:8080',
    'wss://db.example',
  ])('accepts DATABASE_URL %s', (url) => {
    expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });

  it('treats blank variables (PORT= copied from .env.example) as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: ' ', DATABASE_AUTH_TOKEN: '' });
    expect(config.DATABASE_URL).toBe('file:data/gopy.db');
    expect(config.PORT).toBe(4321);
    expect(config.DATABASE_AUTH_TOKEN).toBeUndefined();
  });

  it.each(['postgres://localhost/gopy', 'data/gopy.db', 'mysql://x', ' file:data/gopy.db'])(
    'refuses DATABASE_URL %j, naming the variable',
    (url) => {
      expect(() => loadConfig({ DATABASE_URL: url })).toThrow(Error);
      expect(() => loadConfig({ DATABASE_URL: url })).toThrow(/DATABASE_URL/);
    },
  );

  it.each(['abc', '70000', '-1', '80.5'])('refuses PORT %j, naming the variable', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT/);
  });

  it('names only the bad variables', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'http', DATABASE_URL: 'file:ok.db', LOG_LEVEL: 'debug' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/LOG_LEVEL/);
    expect(message).not.toMatch(/DATABASE_URL/);
    // The values themselves are not echoed (a token could be one of them).
    expect(message).not.toContain('debug');
  });

  it('coerces numbers', () => {
    const config = loadConfig({ PORT: '8080', BODY_LIMIT_BYTES: '2048' });
    expect(config.PORT).toBe(8080);
    expect(config.BODY_LIMIT_BYTES).toBe(2048);
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '10' })).toThrow(/BODY_LIMIT_BYTES/);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL/);
  });

  it('splits PUBLIC_ORIGINS on commas and drops blanks', () => {
    expect(loadConfig({ PUBLIC_ORIGINS: 'https://gopy.example, https://www.gopy.example,,' }).PUBLIC_ORIGINS).toEqual([
      'https://gopy.example',
      'https://www.gopy.example',
    ]);
  });

  it('configWith gives the defaults plus the overrides', () => {
    const config = configWith({ DATABASE_URL: 'file:/tmp/x.db', LOG_LEVEL: 'silent' });
    expect(config.DATABASE_URL).toBe('file:/tmp/x.db');
    expect(config.LOG_LEVEL).toBe('silent');
    expect(config.PORT).toBe(4321);
    expect(() => configWith({ PORT: 'x' })).toThrow(/PORT/);
  });
});

describe('PUBLIC_BASE_URL in production (issue #7 part 6)', () => {
  it('is required when NODE_ENV=production or the server listens beyond loopback', () => {
    for (const env of [{ NODE_ENV: 'production' }, { HOST: '0.0.0.0' }, { HOST: '10.0.0.5' }]) {
      const config = loadConfig(env);
      expect(isProduction(config), JSON.stringify(env)).toBe(true);
      expect(() => checkServerConfig(config)).toThrow(/PUBLIC_BASE_URL: required in production/);
      expect(() => checkServerConfig(loadConfig({ ...env, PUBLIC_BASE_URL: 'https://gopy.example' }))).not.toThrow();
    }
  });
  it('is optional for a demo on loopback, which links to itself', () => {
    for (const HOST of ['127.0.0.1', '::1', 'localhost']) {
      const config = loadConfig({ HOST, PORT: '8080' });
      expect(isProduction(config)).toBe(false);
      expect(() => checkServerConfig(config)).not.toThrow();
    }
    expect(publicBaseUrl(loadConfig({ HOST: '::1', PORT: '8080' }))).toBe('http://[::1]:8080');
    expect(publicBaseUrl(loadConfig({ PUBLIC_BASE_URL: 'https://gopy.example' }))).toBe('https://gopy.example');
  });
});
