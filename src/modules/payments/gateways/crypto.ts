import { constants, createCipheriv, createDecipheriv, createSign, createVerify, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';

/**
 * The two primitives both gateways use: SHA256withRSA signatures (Alipay "RSA2", WeChat Pay
 * "WECHATPAY2-SHA256-RSA2048"), base64-encoded, and AES-256-GCM with the tag appended to the
 * ciphertext (WeChat Pay's AEAD_AES_256_GCM resource encryption).
 */

export function rsaSign(content: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');
}

/** False for a wrong, malformed or missing signature: a forged message must never throw past here. */
export function rsaVerify(content: string, signatureBase64: string | undefined, publicKeyPem: string): boolean {
  if (!signatureBase64) return false;
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyPem, signatureBase64, 'base64');
  } catch {
    return false;
  }
}

/**
 * WeChat Pay's 敏感信息加密: RSAES-OAEP (SHA-1, MGF1) with the platform's public key, base64.
 * Only the holder of the platform's private key (WeChat Pay, or the sandbox) can read it.
 */
export function rsaOaepEncrypt(plaintext: string, publicKeyPem: string): string {
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plaintext, 'utf8')).toString('base64');
}

/** Undefined for anything that does not decrypt under the key (another key, altered bytes, not base64). */
export function rsaOaepDecrypt(ciphertextBase64: string, privateKeyPem: string): string | undefined {
  try {
    return privateDecrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(ciphertextBase64, 'base64')).toString('utf8');
  } catch {
    return undefined;
  }
}

const gcmTagBytes = 16;

/** Returns base64(ciphertext ‖ tag), the layout WeChat Pay sends. */
export function aesGcmEncrypt(plaintext: string, key: Buffer, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

/** Throws when the tag does not match: the ciphertext, nonce or associated data was altered. */
export function aesGcmDecrypt(ciphertextBase64: string, key: Buffer, nonce: string, associatedData: string): string {
  const bytes = Buffer.from(ciphertextBase64, 'base64');
  if (bytes.length <= gcmTagBytes) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - gcmTagBytes));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - gcmTagBytes)), decipher.final()]).toString('utf8');
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of the alphabet's size below 256: bytes above it are skipped so every character is equally likely. */
const unbiasedByteLimit = 256 - (256 % alphabet.length);

/** Random letters and digits, for nonces (WeChat Pay uses 32-character nonce_str, 12-character GCM nonces). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < unbiasedByteLimit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
