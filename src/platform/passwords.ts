import { hash, verify } from '@node-rs/argon2';
import { createHmac } from 'node:crypto';

/** argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane). */
const argon2id = 2; // Algorithm.Argon2id: a const enum, which isolated modules cannot import
const argonOptions = { algorithm: argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argonOptions);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A six-digit PIN has only a million values, so a stolen hash alone would fall to brute force:
 * the PIN is first keyed with a server-side pepper that never sits in the database.
 */
function pepperPin(pin: string, pepper: string): string {
  return createHmac('sha256', pepper).update(pin).digest('base64');
}

export function hashPin(pin: string, pepper: string): Promise<string> {
  return hashPassword(pepperPin(pin, pepper));
}

export function verifyPin(pinHash: string, pin: string, pepper: string): Promise<boolean> {
  return verifyPassword(pinHash, pepperPin(pin, pepper));
}

/** A hash to verify against when the account does not exist, so timing does not reveal which logins exist. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('onecard-no-such-account');
  return dummyHash;
}
