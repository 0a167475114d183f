import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** Every setting Onecard reads from its environment, validated once at boot. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_MINUTES: z.coerce.number().int().positive().default(60 * 12),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  ONECARD_SESSION_SECRET: z.string().min(32).optional(),
  ONECARD_CARD_MASTER_KEY: z.string().min(32).optional(),
  ONECARD_PIN_PEPPER: z.string().min(32).optional(),
  ONECARD_SANDBOX_GATEWAY_KEY: z.string().min(32).optional(),
  /** Ed25519 PKCS8 PEM or a 32-byte seed as 64 hex characters (src/domain/transit-crypto.ts). */
  ONECARD_DENY_LIST_SIGNING_KEY: z.string().min(32).optional(),
});

/** Secrets that signing, card keys and PIN hashing need. */
export interface Secrets {
  sessionSecret: string;
  cardMasterKey: string;
  pinPepper: string;
  sandboxGatewayKey: string;
  /** Signs terminal deny-list deltas (Ed25519); the generated dev value is a 32-byte seed in hex. */
  denyListSigningKey: string;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  sessionTtlMinutes: number;
  bodyLimitBytes: number;
  secrets: Secrets;
}

const secretEnvNames: Record<keyof Secrets, keyof z.infer<typeof envSchema>> = {
  sessionSecret: 'ONECARD_SESSION_SECRET',
  cardMasterKey: 'ONECARD_CARD_MASTER_KEY',
  pinPepper: 'ONECARD_PIN_PEPPER',
  sandboxGatewayKey: 'ONECARD_SANDBOX_GATEWAY_KEY',
  denyListSigningKey: 'ONECARD_DENY_LIST_SIGNING_KEY',
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    sessionTtlMinutes: e.SESSION_TTL_MINUTES,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    secrets: loadSecrets(e, dataDir),
  };
}

/**
 * Secrets come from the environment. In development they are generated once into
 * `<dataDir>/secrets.json` so a laptop needs no set-up; production refuses to invent them,
 * because a generated key that nobody backs up loses every card key and session on redeploy.
 */
function loadSecrets(e: z.infer<typeof envSchema>, dataDir: string): Secrets {
  const fromEnv = Object.fromEntries(
    Object.entries(secretEnvNames).map(([k, envName]) => [k, e[envName] as string | undefined]),
  ) as Partial<Secrets>;
  const missing = (Object.keys(secretEnvNames) as (keyof Secrets)[]).filter((k) => !fromEnv[k]);
  if (missing.length === 0) return fromEnv as Secrets;
  if (e.NODE_ENV === 'production') {
    throw new ConfigError(
      `Missing secrets in production: ${missing.map((k) => secretEnvNames[k]).join(', ')}. ` +
        'Set each to at least 32 random characters (e.g. `openssl rand -hex 32`).',
    );
  }
  const file = resolve(dataDir, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  let changed = false;
  for (const k of missing) {
    if (!stored[k]) {
      stored[k] = randomBytes(32).toString('hex');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return { ...stored, ...stripUndefined(fromEnv) } as Secrets;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
