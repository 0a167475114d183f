import { maskPhone } from '../../../domain/masking.js';
import { escapeHtml, page } from './cashier-page.js';
import { isWebUrl, withholdingService } from './sandbox-agreements.js';
import type { SandboxAgreementRow } from './sandbox.repository.js';

/** The sandbox's Alipay 商户代扣 agreement page (what a user sees before allowing password-free withholding), in Chinese. */

const heading = '支付宝 · 商户代扣服务';

/** 'zhang.san@example.com' → 'z***@example.com'; a phone number as everywhere else: '138****5678'. */
function maskLogonId(logonId: string): string {
  const at = logonId.indexOf('@');
  return at > 0 ? `${logonId.charAt(0)}***${logonId.slice(at)}` : maskPhone(logonId);
}

function details(agreement: SandboxAgreementRow): string {
  const account = agreement.external_logon_id ? `<dt>商户账号</dt><dd>${escapeHtml(maskLogonId(agreement.external_logon_id))}</dd>` : '';
  const number = agreement.agreement_no ? `<dt>协议号</dt><dd>${escapeHtml(agreement.agreement_no)}</dd>` : '';
  return `<dl><dt>商户</dt><dd>${escapeHtml(withholdingService.merchantName)}</dd><dt>应用</dt><dd>${escapeHtml(agreement.app_id)}</dd>
<dt>服务</dt><dd>${escapeHtml(withholdingService.serviceName)}</dd>${account}${number}</dl>`;
}

/** The page before the user decides; an agreement decided already shows how it stands. */
export function agreementPage(agreement: SandboxAgreementRow, actionPath: string): string {
  if (agreement.status !== 'TEMP') return agreementResultPage(agreement, `${actionPath}/app`);
  return page('alipay', '开通商户代扣', `<h2 style="text-align:center">开通免密代扣</h2>${details(agreement)}
<p>开通后，商户在您余额不足时按您的设置从支付宝扣款，单笔不超过 ¥${withholdingService.singleLimitFen / 100}，扣款无需输入支付密码。您可随时在支付宝或商户处解约。</p>
<form method="post" action="${escapeHtml(actionPath)}">
<button class="pay" name="action" value="agree">同意并签约</button>
<button class="cancel" name="action" value="cancel">取消</button>
<details><summary>测试开关</summary>
<label><input type="checkbox" name="withholdingFails" value="1"> （测试）之后的扣款均以余额不足失败</label>
</details></form>`, { heading });
}

/**
 * How the agreement stands after the user's choice: signed (in force), cancelled (still TEMP),
 * or ended. The page sends the browser back to the merchant's return_url after a second.
 */
export function agreementResultPage(agreement: SandboxAgreementRow, appPath: string): string {
  const outcome = outcomes[agreement.status];
  const back = agreement.return_url && isWebUrl(agreement.return_url) ? agreement.return_url : null;
  const refresh = back ? `<meta http-equiv="refresh" content="1;url=${escapeHtml(back)}">` : '';
  const link = back ? `<p><a href="${escapeHtml(back)}">返回商户</a></p>` : '';
  const manage = agreement.status === 'NORMAL' ? `<p><a href="${escapeHtml(appPath)}">在支付宝 App 中管理此服务</a></p>` : '';
  return page('alipay', outcome, `<h2 style="text-align:center">${outcome}</h2>${details(agreement)}${link}${manage}`, { heading, head: refresh });
}

const outcomes = { NORMAL: '签约成功', STOP: '签约成功', TEMP: '已取消签约', UNSIGN: '协议已解约' };

/**
 * The Alipay app's 免密支付/自动扣款 entry for the agreement, as the sandbox shows it: where the
 * user ends an agreement in force without going through the merchant (关闭服务).
 */
export function alipayAppPage(agreement: SandboxAgreementRow, actionPath: string): string {
  const inForce = agreement.status === 'NORMAL' || agreement.status === 'STOP';
  const action = inForce
    ? `<form method="post" action="${escapeHtml(actionPath)}"><button class="cancel" name="action" value="unsign">关闭服务</button></form>
<p>关闭后，商户将不能再从您的支付宝免密扣款。</p>`
    : `<p style="text-align:center">${agreement.status === 'UNSIGN' ? '服务已关闭' : '尚未开通'}</p>`;
  return page('alipay', '免密支付/自动扣款', `<h2 style="text-align:center">${escapeHtml(withholdingService.serviceName)}</h2>${details(agreement)}${action}`, { heading: '支付宝 App · 免密支付/自动扣款' });
}
