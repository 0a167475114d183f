import type { z } from 'zod';
import type { ExtensionWindowDto } from '../../../../src/modules/card-services/card-services.schemas.js';
import type { cardHistorySchema } from '../../../../src/modules/cards/cards.schemas.js';

/** The console's view of the cards and card-services APIs, from the server's zod schemas (type-only imports). */
export type { CardDto } from '../../../../src/modules/cards/cards.schemas.js';
export type { AdminCardItemDto, ExtensionWindowDto, ReturnQuoteDto, ReturnResultDto, TemporaryExchangeResultDto } from '../../../../src/modules/card-services/card-services.schemas.js';
export type CardHistory = z.infer<typeof cardHistorySchema>;
export interface ExtensionWindowList {
  items: ExtensionWindowDto[];
  today: string;
}
