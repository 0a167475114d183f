import type { ColumnType } from 'kysely';

/** Kysely table types of cards (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string, never>;
type Json<T> = ColumnType<T, string, string>;

export type { CardProduct, CardStatus } from '../../domain/card-lifecycle.js';
import type { CardProduct, CardStatus } from '../../domain/card-lifecycle.js';
export type CardMedium = 'physical' | 'sticker' | 'phone';
export type CardStage = 'primary' | 'middle' | 'high' | 'university' | 'vocational';

export interface CardDevice {
  model: string;
  os: 'android' | 'ios' | 'harmonyos';
  osVersion: string;
  walletVersion: string | null;
}

export interface CardsTable {
  id: string;
  card_no: string;
  product: CardProduct;
  student_id: string;
  school_id: string;
  medium: CardMedium;
  device: Json<CardDevice> | null;
  stage: CardStage | null;
  status: CardStatus;
  /** University e-card: the interoperable (交通联合) card number it is linked to. */
  linked_card_no: string | null;
  replaces_card_id: string | null;
  /** A date (YYYY-MM-DD, Asia/Shanghai), read back as a string. */
  valid_until: string | null;
  activated_at: Timestamp | null;
  status_changed_at: Timestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** Append-only; `version` is global and gap-free in commit order (see changeCardStatus). */
export interface CardStatusEventsTable {
  version: ColumnType<number, number, never>;
  card_id: string;
  card_no: string;
  from_status: CardStatus | null;
  to_status: CardStatus;
  /** Whether terminals must refuse the card after this event. */
  denied: boolean;
  reason: string;
  actor_role: string;
  actor_id: string | null;
  at: Timestamp;
}

export interface CardsTables {
  cards: CardsTable;
  card_status_events: CardStatusEventsTable;
}
