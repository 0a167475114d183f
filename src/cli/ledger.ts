import type { Command } from 'commander';

/** `onecard ledger check` (being written). */
export function registerLedgerCommands(_program: Command): void {}
