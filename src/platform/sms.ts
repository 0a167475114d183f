import type { Logger } from 'pino';
import { maskPhone } from '../domain/masking.js';
import type { Clock } from './clock.js';
import type { DbOrTx } from './db/database.js';
import { newId } from './ids.js';

/** Sends a text message. The built-in sender keeps messages in an outbox operators can read. */
export interface SmsSender {
  readonly name: string;
  send(db: DbOrTx, message: { phone: string; body: string }): Promise<void>;
}

/**
 * The development and demo sender: no SMS leaves the machine. Each message is kept in
 * `sms_outbox` (shown to operators in the console) and logged with the phone masked.
 */
export class OutboxSmsSender implements SmsSender {
  readonly name = 'outbox';
  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async send(db: DbOrTx, message: { phone: string; body: string }): Promise<void> {
    await db.insertInto('sms_outbox').values({ id: newId(), phone: message.phone, body: message.body, provider: this.name, created_at: this.clock.now() }).execute();
    this.logger.info({ to: maskPhone(message.phone) }, `sms (outbox): ${message.body}`);
  }
}
