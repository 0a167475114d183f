import type { z } from 'zod';
import type { adminTerminalsSchema, reconciliationSchema } from '../../../../src/modules/transit/transit.schemas.js';

export type TerminalList = z.infer<typeof adminTerminalsSchema>;
export type TerminalRow = TerminalList['items'][number];
export type Reconciliation = z.infer<typeof reconciliationSchema>;
export type ReconciliationRow = Reconciliation['items'][number];
export type ReconciliationReason = ReconciliationRow['reasons'][number];

export const terminalKinds = ['bus_validator', 'rail_gate', 'pos', 'reader', 'network_gateway'] as const;
export type TerminalKind = (typeof terminalKinds)[number];

export interface RegisterTerminalRequest {
  code: string;
  kind: TerminalKind;
  operator: string;
  location: string | null;
  /** The university a POS or reader serves; null for transit terminals. */
  schoolId: string | null;
}

/** Campus terminals serve one university's cards (the server refuses them without one). */
export const campusTerminalKinds: readonly TerminalKind[] = ['pos', 'reader', 'network_gateway'];

/** The answer to registering: the only time the secret is sent. */
export interface RegisteredTerminal {
  id: string;
  code: string;
  kind: TerminalKind;
  operator: string;
  location: string | null;
  secret: string;
}
