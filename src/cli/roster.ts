import type { Command } from 'commander';

/** `onecard school create` and `onecard roster import` (being written). */
export function registerRosterCommands(_program: Command): void {}
