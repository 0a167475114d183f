import type { ColumnType } from 'kysely';
import type { ApplicationKind, ApplicationReason, ApplicationStatus, BatchStatus, ConfirmationStatus, DeliveryMethod, DeliveryStatus } from '../../domain/fulfilment-lifecycle.js';

/** Kysely table types of fulfilment (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export interface CorrectionRow {
  field: 'schoolName' | 'name' | 'gender' | 'educationId' | 'validUntil' | 'photo';
  correctValue: string | null;
  note: string | null;
}

export interface CardConfirmationsTable {
  id: string;
  student_id: string;
  school_id: string;
  status: ConfirmationStatus;
  corrections: Json<CorrectionRow[]>;
  round: ColumnType<number, number | undefined, number>;
  fix_note: string | null;
  confirmed_at: Timestamp | null;
  confirmed_by: string | null;
  reported_at: Timestamp | null;
  fixed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The statuses are the state machines' (src/domain/fulfilment-lifecycle.ts); only they move a row from one to another. */
export type ApplicationKindValue = ApplicationKind;
export type ApplicationStatusValue = ApplicationStatus;

export interface CardApplicationsTable {
  id: string;
  kind: ApplicationKindValue;
  student_id: string;
  school_id: string;
  /** Null for a first card (new_card, migration 0045). */
  old_card_id: string | null;
  /** Why the card is replaced: lost (reported lost) or, a sticker only, damaged (still in use). */
  reason: ColumnType<ApplicationReason, ApplicationReason | undefined, ApplicationReason>;
  status: ApplicationStatusValue;
  delivery_method: 'school' | 'home';
  recipient: string | null;
  phone: string | null;
  address: string | null;
  fee_fen: number;
  fee_order_id: string | null;
  paid_at: Timestamp | null;
  batch_id: string | null;
  new_card_no: string | null;
  /** The first card's sticker's Beijing-tong number, reserved with the card's in the batch (middle and high school only; migration 0068). */
  new_sticker_no: string | null;
  new_card_id: string | null;
  delivery_id: string | null;
  balance_transfer_due_at: Timestamp | null;
  balance_transferred_at: Timestamp | null;
  balance_transferred_fen: number | null;
  created_by_role: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CardApplicationStepsTable {
  id: string;
  application_id: string;
  step: string;
  note: string | null;
  /** The note in English; null when it reads the same in both (a batch number, staff's own words). Migration 0066. */
  note_en: string | null;
  actor_role: string;
  actor_id: string | null;
  at: Timestamp;
}

export interface ProductionBatchesTable {
  id: string;
  batch_no: string;
  kind: ApplicationKindValue;
  status: BatchStatus;
  created_by: string | null;
  created_at: Timestamp;
  exported_at: Timestamp | null;
  produced_at: Timestamp | null;
  dispatched_at: Timestamp | null;
}

export interface DeliveryEvent {
  at: string;
  /** In both languages (migration 0066 split the earlier 'zh / en' texts). */
  description: { zh: string; en: string };
}

export interface DeliveriesTable {
  id: string;
  batch_id: string;
  method: DeliveryMethod;
  school_id: string;
  application_id: string | null;
  courier: string | null;
  tracking_no: string | null;
  status: DeliveryStatus;
  events: Json<DeliveryEvent[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  delivered_at: Timestamp | null;
  /** When tracking last asked the courier about a home parcel (null: never); the queue takes the oldest first. */
  tracked_at: Timestamp | null;
  /** Why the last tracking of the parcel failed (the courier down, a step refused); null once it succeeds. */
  tracking_error: string | null;
}

export interface FulfilmentTables {
  card_confirmations: CardConfirmationsTable;
  card_applications: CardApplicationsTable;
  card_application_steps: CardApplicationStepsTable;
  production_batches: ProductionBatchesTable;
  deliveries: DeliveriesTable;
}
