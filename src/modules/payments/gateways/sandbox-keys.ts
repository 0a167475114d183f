import { createCipheriv, createDecipheriv, generateKeyPair, hkdfSync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Db } from '../../../platform/db/database.js';
import { randomAlphanumeric } from './crypto.js';
import { paymentsRepository as repo } from '../payments.repository.js';

/**
 * The sandbox gateway's test keys: for each gateway a merchant key pair (Onecard signs requests,
 * the sandbox verifies) and a platform key pair (the sandbox signs notifications and responses,
 * Onecard verifies), plus WeChat Pay's APIv3 key. Generated once per database and kept in the
 * `settings` table, so every server process on the same PostgreSQL uses the same keys (a data-dir
 * file would differ per machine). The private keys are stored encrypted (AES-256-GCM) under a key
 * derived from ONECARD_SANDBOX_GATEWAY_KEY, so a database dump alone does not yield them.
 */

export interface AlipayKeys {
  appId: string;
  sellerId: string;
  appPrivateKey: string;
  appPublicKey: string;
  platformPrivateKey: string;
  platformPublicKey: string;
}

export interface WechatKeys {
  appId: string;
  mchid: string;
  merchantSerialNo: string;
  merchantPrivateKey: string;
  merchantPublicKey: string;
  platformSerialNo: string;
  platformPrivateKey: string;
  platformPublicKey: string;
  apiV3Key: string;
}

export interface SandboxKeyring {
  alipay: AlipayKeys;
  wechat: WechatKeys;
}

const sandboxKeysSetting = 'payments.sandbox_gateway_keys';

interface SealedKeyring {
  version: 1;
  iv: string;
  tag: string;
  ciphertext: string;
}

const generateRsaKeyPair = promisify(generateKeyPair);

async function rsaKeyPair(): Promise<{ privateKey: string; publicKey: string }> {
  return generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** A certificate serial number's shape: 40 upper-case hex digits. */
const serialNo = () => randomBytes(20).toString('hex').toUpperCase();

async function newKeyring(): Promise<SandboxKeyring> {
  const [alipayApp, alipayPlatform, wechatMerchant, wechatPlatform] = await Promise.all([rsaKeyPair(), rsaKeyPair(), rsaKeyPair(), rsaKeyPair()]);
  return {
    alipay: {
      appId: '2021000000000001',
      sellerId: '2088000000000001',
      appPrivateKey: alipayApp.privateKey,
      appPublicKey: alipayApp.publicKey,
      platformPrivateKey: alipayPlatform.privateKey,
      platformPublicKey: alipayPlatform.publicKey,
    },
    wechat: {
      appId: 'wx0000000000000001',
      mchid: '1900000001',
      merchantSerialNo: serialNo(),
      merchantPrivateKey: wechatMerchant.privateKey,
      merchantPublicKey: wechatMerchant.publicKey,
      platformSerialNo: serialNo(),
      platformPrivateKey: wechatPlatform.privateKey,
      platformPublicKey: wechatPlatform.publicKey,
      apiV3Key: randomAlphanumeric(32),
    },
  };
}

function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'onecard', 'sandbox gateway keys v1', 32));
}

function seal(keyring: SandboxKeyring, secret: string): SealedKeyring {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(keyring), 'utf8'), cipher.final()]);
  return { version: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
}

/** Undefined when the secret has changed since the keys were sealed. */
function unseal(sealed: SealedKeyring, secret: string): SandboxKeyring | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), Buffer.from(sealed.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as SandboxKeyring;
  } catch {
    return undefined;
  }
}

/**
 * Reads the keyring, creating it on first use. Two processes starting together may both
 * generate one: the first insert wins and both read it back. When the sandbox secret changed,
 * the old keys are unreadable and replaced: they are test keys, nothing real depends on them.
 */
async function loadOrCreate(db: Db, secret: string, now: Date, logger: Logger): Promise<SandboxKeyring> {
  const stored = await repo.getSetting<SealedKeyring>(db, sandboxKeysSetting);
  const opened = stored && unseal(stored, secret);
  if (opened) return opened;
  const sealed = seal(await newKeyring(), secret);
  if (stored) {
    logger.warn('sandbox gateway keys were sealed under another ONECARD_SANDBOX_GATEWAY_KEY; generating new test keys');
    await repo.replaceSetting(db, sandboxKeysSetting, sealed, now);
  } else {
    await repo.insertSettingIfAbsent(db, sandboxKeysSetting, sealed, now);
  }
  const winner = await repo.getSetting<SealedKeyring>(db, sandboxKeysSetting);
  const keyring = winner && unseal(winner, secret);
  if (!keyring) throw new Error('sandbox gateway keys could not be stored');
  return keyring;
}

const cache = new WeakMap<Db, Promise<SandboxKeyring>>();

/** The keyring of this database, read (or made) once per process. */
export function sandboxKeyring(db: Db, secret: string, now: Date, logger: Logger): Promise<SandboxKeyring> {
  let pending = cache.get(db);
  if (!pending) {
    pending = loadOrCreate(db, secret, now, logger);
    // A failed load is not cached, so the next request tries again.
    pending.catch(() => cache.delete(db));
    cache.set(db, pending);
  }
  return pending;
}
