import { describe, expect, it } from 'vitest';
import { runKillTest } from '../../scripts/kill-test.js';

/**
 * scripts/kill-test.ts at a small scale: the server (a child process on PostgreSQL) is SIGKILLed
 * twice while terminals upload; they retry until acknowledged. Nothing lost, nothing twice, ledger
 * clean. Needs PostgreSQL (a killed embedded database is another story), so it runs in the
 * db-postgres project only.
 */
describe.runIf(process.env.ONECARD_TEST_DB === 'postgres')('kill test: SIGKILL the server mid-upload', () => {
  it('loses no tap and settles none twice across two kills and restarts', { timeout: 300_000 }, async () => {
    const result = await runKillTest({ cards: 1500, terminals: 3, tapsPerTerminal: 2500, batch: 400, kills: 2 });
    expect(result.problems).toEqual([]);
    expect(result.ledgerViolations).toEqual([]);
    expect(result.kills).toBe(2);
    expect(result.settled).toBe(result.taps);
    expect(result.uploadsFailed).toBeGreaterThan(0);
  });
});
