import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log line: identity numbers, phones,
 * passwords, tokens and a refund's bank card number and holder's name must never reach a log file.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.newPassword',
  '*.oldPassword',
  '*.pin',
  '*.newPin',
  '*.currentPassword',
  '*.queryPassword',
  '*.consumptionPin',
  '*.token',
  '*.idNumber',
  '*.phone',
  '*.id_number',
  '*.password_hash',
  '*.token_hash',
  // A refund's bank card and its holder (WeChat Pay's 异常退款): ours and WeChat's field names.
  '*.bankAccount',
  '*.realName',
  '*.bank_account',
  '*.real_name',
  'password',
  'token',
  'idNumber',
  'phone',
  'bankAccount',
  'realName',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    // Free text may still carry a number: mask 18-character ID numbers and 11-digit mobiles in messages.
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskSensitiveText(a) : a));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
}

export function maskSensitiveText(text: string): string {
  return text
    .replace(/\b(\d{3})\d{11}(\d{3}[\dXx])\b/g, '$1***********$2')
    .replace(/\b(1[3-9]\d)\d{4}(\d{4})\b/g, '$1****$2');
}

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}
