/**
 * Labels both web apps show for the same server values, so that the app and the console name them
 * alike: a purse statement's transaction types, and the fields printed on the card face (制卡信息).
 * Spread into each app's messages.
 */

export const transactionTypeLabels = {
  'zh-CN': {
    tx_top_up: '充值',
    tx_fare: '乘车',
    tx_purchase: '消费',
    tx_fee: '缴费',
    tx_refund: '退款',
    tx_transfer: '余额转移',
    tx_adjustment: '调账',
    // The only reversal on a card is a refunded canteen purchase (撤销 at the till, 退款 in the console).
    tx_reversal: '消费退款',
  },
  en: {
    tx_top_up: 'Top-up',
    tx_fare: 'Fare',
    tx_purchase: 'Purchase',
    tx_fee: 'Fee',
    tx_refund: 'Refund',
    tx_transfer: 'Balance transfer',
    tx_adjustment: 'Adjustment',
    tx_reversal: 'Purchase refunded',
  },
} as const;

export const cardFieldLabels = {
  'zh-CN': {
    field_schoolName: '学校名称',
    field_name: '姓名',
    field_gender: '性别',
    field_educationId: '教育ID',
    field_validUntil: '有效期',
    field_photo: '照片',
  },
  en: {
    field_schoolName: 'School',
    field_name: 'Name',
    field_gender: 'Gender',
    field_educationId: 'Education ID',
    field_validUntil: 'Valid until',
    field_photo: 'Photo',
  },
} as const;
