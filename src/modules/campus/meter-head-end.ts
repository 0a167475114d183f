/**
 * The dorm meters' head-end system: it takes a prepaid amount of energy to one meter. None can run
 * here, so a sandbox stands in for it (decision 0007). A real one is called outside any
 * transaction, by the delivery job, which retries it.
 */
export interface MeterHeadEnd {
  /** Adds `kwhCenti` hundredths of a kWh to the meter; `commandId` makes a repeated command harmless. Throws when the meter cannot be reached. */
  credit(meterNo: string, kwhCenti: number, commandId: string): Promise<void>;
}

/**
 * Takes every command at once, except for meters numbered `OFFLINE-…`, which never answer: the
 * way to see a meter that cannot be reached, in the tests and the demo.
 */
export const sandboxMeterHeadEnd: MeterHeadEnd = {
  async credit(meterNo) {
    if (meterNo.startsWith('OFFLINE-')) throw new Error(`meter ${meterNo} does not answer`);
  },
};
