import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { accessibleCard } from '../cards/card-access.js';
import { returnCard } from '../card-services/return-card.js';
import type { ReturnResultDto } from '../card-services/card-services.schemas.js';
import './ecards.errors.js';

/**
 * 退卡 and 退资 of a university e-card (seed 003), from the e-card's page: the one return of
 * every card (card-services/return-card.ts: the balance back, up to ¥200 in the app through the
 * gateways and above at a Yikatong outlet; refused while the balance is negative or a
 * replacement is under way). The student may then apply again (the one-active-card and
 * linked-number indexes only count live cards). The caller sends the gateway refunds once the
 * transaction has committed (sendReturnRefunds).
 */
export async function returnUniversityEcard(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<ReturnResultDto> {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN');
  const found = await accessibleCard(ctx.db, caller, cardId);
  if (found.product !== 'university_ecard') throw fail('ECARD_NOT_UNIVERSITY', { product: found.product });
  // Said in the e-card's words; the return itself asks the card's state machine again under its lock.
  if (found.status !== 'active' && found.status !== 'suspended') throw fail('ECARD_NOT_ACTIVE', { status: found.status });
  return returnCard(ctx, caller, cardId, requestId);
}
