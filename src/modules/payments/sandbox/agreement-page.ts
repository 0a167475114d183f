import { maskPhone } from '../../../domain/masking.js';
import { escapeHtml, page } from './cashier-page.js';
import { isWebUrl, withholdingService } from './sandbox-agreements.js';
import type { SandboxAgreementRow } from './sandbox.repository.js';

/**
 * The sandbox's withholding agreement pages, in Chinese: Alipay's 商户代扣 page, WeChat Pay's
 * 委托代扣 signing page (what a user sees before allowing password-free charges), and each
 * gateway's app page where the user ends it.
 */

const texts = {
  alipay: {
    heading: '支付宝 · 商户代扣服务', title: '开通商户代扣', number: '协议号', limitNote: '扣款无需输入支付密码。您可随时在支付宝或商户处解约。',
    manage: '在支付宝 App 中管理此服务', appHeading: '支付宝 App · 免密支付/自动扣款', appClose: '关闭后，商户将不能再从您的支付宝免密扣款。',
  },
  wechat: {
    heading: '微信支付 · 委托代扣', title: '开通委托代扣', number: '委托代扣协议号', limitNote: '扣款无需输入支付密码，扣款后微信支付将通知您。您可随时在微信或商户处解约。',
    manage: '在微信中管理此服务（我 → 服务 → 钱包 → 支付设置 → 自动续费/免密支付）', appHeading: '微信 · 自动续费/免密支付', appClose: '关闭后，商户将不能再从您的微信支付委托扣款。',
  },
} as const;

/** 'zhang.san@example.com' → 'z***@example.com'; a phone number as everywhere else: '138****5678'. */
function maskLogonId(logonId: string): string {
  const at = logonId.indexOf('@');
  return at > 0 ? `${logonId.charAt(0)}***${logonId.slice(at)}` : maskPhone(logonId);
}

function details(agreement: SandboxAgreementRow): string {
  const t = texts[agreement.gateway];
  const account = agreement.external_logon_id ? `<dt>商户账号</dt><dd>${escapeHtml(maskLogonId(agreement.external_logon_id))}</dd>` : '';
  const number = agreement.agreement_no ? `<dt>${t.number}</dt><dd>${escapeHtml(agreement.agreement_no)}</dd>` : '';
  const app = agreement.gateway === 'wechat' ? `<dt>商户号</dt><dd>${escapeHtml(agreement.app_id)}</dd><dt>模板</dt><dd>${escapeHtml(agreement.personal_product_code)}</dd>` : `<dt>应用</dt><dd>${escapeHtml(agreement.app_id)}</dd>`;
  return `<dl><dt>商户</dt><dd>${escapeHtml(withholdingService.merchantName)}</dd>${app}
<dt>服务</dt><dd>${escapeHtml(withholdingService.serviceName)}</dd>${account}${number}</dl>`;
}

/** The page before the user decides; an agreement decided already shows how it stands. */
export function agreementPage(agreement: SandboxAgreementRow, actionPath: string): string {
  if (agreement.status !== 'TEMP') return agreementResultPage(agreement, `${actionPath}/app`);
  const t = texts[agreement.gateway];
  return page(agreement.gateway, t.title, `<h2 style="text-align:center">开通免密支付</h2>${details(agreement)}
<p>开通后，商户在您余额不足时按您的设置扣款，单笔不超过 ¥${withholdingService.singleLimitFen / 100}，${t.limitNote}</p>
<form method="post" action="${escapeHtml(actionPath)}">
<button class="pay" name="action" value="agree">同意并签约</button>
<button class="cancel" name="action" value="cancel">取消</button>
<details><summary>测试开关</summary>
<label><input type="checkbox" name="withholdingFails" value="1"> （测试）之后的扣款均以余额不足失败</label>
</details></form>`, { heading: t.heading });
}

/**
 * How the agreement stands after the user's choice: signed (in force), cancelled (still TEMP),
 * or ended. The page sends the browser back to the merchant's return_url after a second.
 */
export function agreementResultPage(agreement: SandboxAgreementRow, appPath: string): string {
  const t = texts[agreement.gateway];
  const outcome = outcomes[agreement.status];
  const back = agreement.return_url && isWebUrl(agreement.return_url) ? agreement.return_url : null;
  const refresh = back ? `<meta http-equiv="refresh" content="1;url=${escapeHtml(back)}">` : '';
  const link = back ? `<p><a href="${escapeHtml(back)}">返回商户</a></p>` : '';
  const manage = agreement.status === 'NORMAL' ? `<p><a href="${escapeHtml(appPath)}">${t.manage}</a></p>` : '';
  return page(agreement.gateway, outcome, `<h2 style="text-align:center">${outcome}</h2>${details(agreement)}${link}${manage}`, { heading: t.heading, head: refresh });
}

const outcomes = { NORMAL: '签约成功', STOP: '签约成功', TEMP: '已取消签约', UNSIGN: '协议已解约' };

/**
 * The gateway app's own entry for the agreement, as the sandbox shows it (Alipay's 免密支付/自动扣款,
 * WeChat's 自动续费/免密支付): where the user ends an agreement in force without going through the merchant (关闭服务).
 */
export function gatewayAppPage(agreement: SandboxAgreementRow, actionPath: string): string {
  const t = texts[agreement.gateway];
  const inForce = agreement.status === 'NORMAL' || agreement.status === 'STOP';
  const action = inForce
    ? `<form method="post" action="${escapeHtml(actionPath)}"><button class="cancel" name="action" value="unsign">关闭服务</button></form>
<p>${t.appClose}</p>`
    : `<p style="text-align:center">${agreement.status === 'UNSIGN' ? '服务已关闭' : '尚未开通'}</p>`;
  return page(agreement.gateway, '免密支付/自动扣款', `<h2 style="text-align:center">${escapeHtml(withholdingService.serviceName)}</h2>${details(agreement)}${action}`, { heading: t.appHeading });
}
