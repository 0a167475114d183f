import type { ColumnType, Generated } from 'kysely';
import type { PhoneBrand } from '../../domain/phone-eligibility.js';
import type { CardDevice } from '../cards/cards.tables.js';

/** Kysely table types (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface EcardPhoneModelsTable {
  id: Generated<number>;
  brand: PhoneBrand;
  name: string;
  series: boolean;
  /** Where the row came from: 'seed-003', or 'operator:<id>'. */
  source: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export type PhoneRequirementKey = 'app' | 'huaweiWallet' | 'xiaomiSmartCardStable' | 'xiaomiSystemDev' | 'ios';

export interface EcardPhoneRequirementsTable {
  key: PhoneRequirementKey;
  min_version: string;
  source: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
}

export interface EcardPartnerSchoolsTable {
  school_id: string;
  partnered_since: Timestamp;
  added_by: string | null;
}

export type EcardApplicationKind = 'k12_open' | 'k12_upgrade' | 'phone_move' | 'university_link' | 'university_extend' | 'university_return';

/** One row per e-card operation: which card it made or changed, and the agreement it accepted. */
export interface EcardApplicationsTable {
  id: string;
  kind: EcardApplicationKind;
  student_id: string;
  card_id: string;
  previous_card_id: string | null;
  agreement_version: string | null;
  accepted_at: Timestamp | null;
  actor_role: string;
  actor_id: string | null;
  device: Json<CardDevice> | null;
  created_at: Timestamp;
}

export interface ECardsTables {
  ecard_phone_models: EcardPhoneModelsTable;
  ecard_phone_requirements: EcardPhoneRequirementsTable;
  ecard_partner_schools: EcardPartnerSchoolsTable;
  ecard_applications: EcardApplicationsTable;
}
