import { formatYuan } from '../../../domain/money.js';
import type { GatewayName } from '../payments.tables.js';
import type { SandboxPaymentRow } from './sandbox.repository.js';

/** The sandbox cashier pages (the screens a payer sees at Alipay or WeChat Pay), in Chinese. */

const brand: Record<GatewayName, { name: string; colour: string }> = {
  alipay: { name: '支付宝', colour: '#1677ff' },
  wechat: { name: '微信支付', colour: '#07c160' },
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A page of the gateway's: the cashier's unless `heading` names another service; `head` is extra (escaped) markup for <head>. */
export function page(gateway: GatewayName, title: string, content: string, options: { heading?: string; head?: string } = {}): string {
  const { name, colour } = brand[gateway];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${options.head ?? ''}
<title>${escapeHtml(title)} - ${name}（沙箱）</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f5f5;color:#333}
header{background:${colour};color:#fff;padding:14px 16px;font-size:17px}
main{max-width:480px;margin:16px auto;background:#fff;border-radius:8px;padding:20px}
.amount{font-size:34px;font-weight:600;text-align:center;margin:8px 0 20px}
dl{display:grid;grid-template-columns:6em 1fr;gap:8px;margin:0 0 20px}dt{color:#888}dd{margin:0;word-break:break-all}
button{width:100%;padding:12px;font-size:16px;border-radius:6px;border:0;margin-top:8px;cursor:pointer}
.pay{background:${colour};color:#fff}.cancel{background:#eee;color:#333}
details{margin-top:20px;font-size:13px;color:#666}label{display:block;margin:6px 0}
.note{font-size:12px;color:#999;text-align:center;margin-top:16px}
</style></head>
<body><header>${escapeHtml(options.heading ?? `${name} 收银台`)} · 沙箱</header><main>${content}
<p class="note">这是 Onecard 内置的沙箱支付网关，不会产生真实扣款。</p></main></body></html>`;
}

function details(payment: SandboxPaymentRow): string {
  return `<div class="amount">${formatYuan(payment.amount_fen)}</div>
<dl><dt>收款方</dt><dd>${escapeHtml(payment.payee)}</dd><dt>商品</dt><dd>${escapeHtml(payment.subject)}</dd><dt>订单编号</dt><dd>${escapeHtml(payment.out_trade_no)}</dd></dl>`;
}

/**
 * Where 返回商户 leads: Alipay's `return_url`, given when the trade was opened; WeChat Pay H5's
 * `redirect_url`, which the merchant appends to the cashier link. WeChat accepts it only on the
 * merchant's registered H5 domain, here the domain of the trade's notify_url; anything else is
 * refused (`null` link when there is none at all).
 */
export function merchantReturn(payment: SandboxPaymentRow, redirectUrl: string | undefined): { ok: true; url: string | null } | { ok: false } {
  if (payment.gateway === 'alipay') return { ok: true, url: payment.return_url };
  if (redirectUrl === undefined || redirectUrl === '') return { ok: true, url: null };
  try {
    const target = new URL(redirectUrl);
    return target.origin === new URL(payment.notify_url).origin ? { ok: true, url: target.toString() } : { ok: false };
  } catch {
    return { ok: false };
  }
}

export function cashierPage(payment: SandboxPaymentRow, actionPath: string, backUrl: string | null = payment.return_url): string {
  if (payment.status !== 'pending') return resultPage(payment, backUrl);
  return page(payment.gateway, '确认付款', `${details(payment)}
<form method="post" action="${escapeHtml(actionPath)}">
<button class="pay" name="action" value="pay">确认支付</button>
<button class="cancel" name="action" value="cancel">取消</button>
<details><summary>测试开关</summary>
<label>重复通知份数 <input type="number" name="duplicate" min="1" max="20" value="1"></label>
<label><input type="checkbox" name="outOfOrder" value="1"> 乱序通知（后一条先到）</label>
<label>延迟通知（毫秒） <input type="number" name="lateMs" min="0" value="0"></label>
<label><input type="checkbox" name="badSignature" value="1"> 错误签名</label>
</details></form>`);
}

export function resultPage(payment: SandboxPaymentRow, backUrl: string | null = payment.return_url): string {
  const outcomes = { paid: '支付成功', cancelled: '已取消支付', closed: '交易已关闭', pending: '等待支付', failed: '扣款失败' };
  const outcome = outcomes[payment.status];
  const back = backUrl ? `<p><a href="${escapeHtml(backUrl)}">返回商户</a></p>` : '';
  return page(payment.gateway, outcome, `<h2 style="text-align:center">${outcome}</h2>${details(payment)}${back}`);
}

export function errorPage(gateway: GatewayName, message: string, title = '无法支付'): string {
  return page(gateway, title, `<h2 style="text-align:center">${escapeHtml(title)}</h2><p>${escapeHtml(message)}</p>`);
}
