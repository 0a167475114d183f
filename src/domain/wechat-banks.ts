/**
 * The banks WeChat Pay's 发起异常退款 can send a refund to (the payer's debit card, type
 * USER_BANK_CARD): its 银行类型 codes for the 15 banks it names (招行、交通银行、农行、建行、工商、
 * 中行、平安、浦发、中信、光大、民生、兴业、广发、邮储、宁波银行), with their names for the console.
 */
export const abnormalRefundBanks = [
  { code: 'ICBC_DEBIT', zh: '中国工商银行', en: 'ICBC' },
  { code: 'ABC_DEBIT', zh: '中国农业银行', en: 'Agricultural Bank of China' },
  { code: 'BOC_DEBIT', zh: '中国银行', en: 'Bank of China' },
  { code: 'CCB_DEBIT', zh: '中国建设银行', en: 'China Construction Bank' },
  { code: 'COMM_DEBIT', zh: '交通银行', en: 'Bank of Communications' },
  { code: 'PSBC_DEBIT', zh: '中国邮政储蓄银行', en: 'Postal Savings Bank of China' },
  { code: 'CMB_DEBIT', zh: '招商银行', en: 'China Merchants Bank' },
  { code: 'CITIC_DEBIT', zh: '中信银行', en: 'China CITIC Bank' },
  { code: 'CEB_DEBIT', zh: '中国光大银行', en: 'China Everbright Bank' },
  { code: 'CMBC_DEBIT', zh: '中国民生银行', en: 'China Minsheng Bank' },
  { code: 'CIB_DEBIT', zh: '兴业银行', en: 'Industrial Bank' },
  { code: 'GDB_DEBIT', zh: '广发银行', en: 'China Guangfa Bank' },
  { code: 'SPDB_DEBIT', zh: '上海浦东发展银行', en: 'SPD Bank' },
  { code: 'PAB_DEBIT', zh: '平安银行', en: 'Ping An Bank' },
  { code: 'NBCB_DEBIT', zh: '宁波银行', en: 'Bank of Ningbo' },
] as const;

export type AbnormalRefundBank = (typeof abnormalRefundBanks)[number]['code'];

export const abnormalRefundBankCodes = abnormalRefundBanks.map((b) => b.code) as [AbnormalRefundBank, ...AbnormalRefundBank[]];

/** A debit card number as the form takes it: 12 to 19 digits, spaces allowed between groups. */
export function normaliseBankAccount(input: string): string | null {
  const digits = input.replace(/\s+/g, '');
  return /^\d{12,19}$/.test(digits) ? digits : null;
}
