import type { Messages } from '../../../shared/i18n.js';

/** Campus payments: 付款码 (消费认证码) and 单笔限额 (seed 004). */
const zh = {
  payCodeTitle: '付款码',
  payCodeEntry: '付款码',
  payCodeIntro: '在食堂等收银台出示付款码，由收银员扫码扣款。付款码 1 分钟内有效，只能使用一次。',
  queryPassword: '查询密码',
  queryPasswordPlaceholder: '请输入 6 位查询密码',
  queryPasswordInvalid: '请输入 6 位数字查询密码',
  showCode: '显示付款码',
  refresh: '刷新付款码',
  expiresIn: '{seconds} 秒后失效',
  expired: '付款码已失效，请刷新',
  balance: '校园卡余额',
  limit: '单笔限额',
  limitHint: '单笔消费超过限额时，需在收银台输入消费密码',
  limitTitle: '设置单笔限额',
  limitAmount: '限额（元）',
  limitPlaceholder: '0 至 1000 元',
  limitInvalid: '请输入 0 至 1000 元的金额，最多两位小数',
  limitSave: '保存限额',
  limitSaved: '单笔限额已设为 {amount}',
  noCampusCard: '没有可用的校园卡',
  noCampusCardHint: '校园卡挂失后付款码同时停用；解挂后可再次使用',
} as const;

type Key = keyof typeof zh;

export const campusMessages: Messages<Key> = {
  'zh-CN': zh,
  en: {
    payCodeTitle: 'Payment code',
    payCodeEntry: 'Pay code',
    payCodeIntro: 'Show the code at the canteen till; the cashier scans it. A code lasts one minute and pays once.',
    queryPassword: 'Query password',
    queryPasswordPlaceholder: 'The 6-digit query password',
    queryPasswordInvalid: 'Enter the 6-digit query password',
    showCode: 'Show the code',
    refresh: 'New code',
    expiresIn: 'Expires in {seconds} s',
    expired: 'The code has expired; get a new one',
    balance: 'Campus card balance',
    limit: 'Per-purchase limit',
    limitHint: 'Above the limit the till asks for the consumption password',
    limitTitle: 'Set the per-purchase limit',
    limitAmount: 'Limit (yuan)',
    limitPlaceholder: '¥0 to ¥1000',
    limitInvalid: 'Enter an amount from ¥0 to ¥1000, at most two decimals',
    limitSave: 'Save the limit',
    limitSaved: 'The per-purchase limit is now {amount}',
    noCampusCard: 'No campus card in use',
    noCampusCardHint: 'A card reported lost stops its payment code too; unloss it to pay again',
  },
};

export type CampusText = (typeof campusMessages)['zh-CN'];
