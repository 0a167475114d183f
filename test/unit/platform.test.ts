import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { fail, registerErrors } from '../../src/platform/errors.js';
import { loggerOptions, maskSensitiveText } from '../../src/platform/logger.js';
import { hashPin, verifyPin, hashPassword, verifyPassword } from '../../src/platform/passwords.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'onecard-unit-'));

describe('config', () => {
  it('generates development secrets once into the data dir and reuses them', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secrets.sessionSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(second.secrets).toEqual(first.secrets);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toEqual(first.secrets);
  });

  it('stops a production boot that lacks secrets, naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrow(/ONECARD_SESSION_SECRET.*ONECARD_PIN_PEPPER/s);
  });

  it('rejects malformed settings with a message per setting', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DATA_DIR: tempDir() })).toThrow(/PORT[\s\S]*DATABASE_URL/);
  });

  it('reads port, database URL and data dir', () => {
    const dir = tempDir();
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@h/db', DATA_DIR: dir });
    expect(config).toMatchObject({ port: 8080, databaseUrl: 'postgres://u@h/db', dataDir: dir, env: 'development' });
  });
});

describe('logging', () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    return { logger: pino(loggerOptions('info'), stream), lines };
  }

  it('redacts ID numbers, phones, passwords and tokens in structured fields', () => {
    const { logger, lines } = capture();
    logger.info({ body: { idNumber: '11010520100101123X', phone: '13812345678', password: 'secret-pass', token: 'oc_abc' } }, 'request');
    const out = lines.join('');
    for (const secret of ['11010520100101123X', '13812345678', 'secret-pass', 'oc_abc']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('redacts a refund’s bank card number and holder’s name, ours and WeChat Pay’s field names', () => {
    const { logger, lines } = capture();
    logger.info({ body: { route: 'user_bank_card', bankAccount: '6222021234567890123', realName: '张三' }, wechat: { bank_account: '6225880012345678', real_name: '李四' } }, 'abnormal refund');
    const out = lines.join('');
    for (const secret of ['6222021234567890123', '张三', '6225880012345678', '李四']) expect(out).not.toContain(secret);
    expect(out).toContain('user_bank_card');
  });

  it('masks ID numbers and mobile numbers inside free text', () => {
    const { logger, lines } = capture();
    logger.info('student 11010520100101123X called from 13812345678');
    const out = lines.join('');
    expect(out).not.toContain('11010520100101123X');
    expect(out).not.toContain('13812345678');
    expect(maskSensitiveText('11010520100101123X')).toBe('110***********123X');
    expect(maskSensitiveText('13812345678')).toBe('138****5678');
  });
});

describe('password hashing', () => {
  it('uses argon2id and verifies only the right password', async () => {
    const h = await hashPassword('correct horse 1');
    expect(h).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(h, 'correct horse 1')).toBe(true);
    expect(await verifyPassword(h, 'correct horse 2')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });

  it('peppers PINs: the same PIN under another pepper does not verify', async () => {
    const h = await hashPin('482913', 'pepper-one-'.padEnd(40, 'x'));
    expect(await verifyPin(h, '482913', 'pepper-one-'.padEnd(40, 'x'))).toBe(true);
    expect(await verifyPin(h, '482913', 'pepper-two-'.padEnd(40, 'x'))).toBe(false);
    expect(await verifyPassword(h, '482913')).toBe(false);
  });
});

describe('the error table', () => {
  it('refuses a code registered again with another meaning, and takes the same one twice', () => {
    const entry = { status: 409, zh: '测试冲突', en: 'Test conflict' };
    registerErrors({ TEST_ONLY_CODE: entry });
    expect(() => registerErrors({ TEST_ONLY_CODE: entry })).not.toThrow();
    expect(() => registerErrors({ TEST_ONLY_CODE: { ...entry, status: 422 } })).toThrow(/registered twice/);
    expect(fail('TEST_ONLY_CODE')).toMatchObject({ code: 'TEST_ONLY_CODE' });
  });
});
