import { Inject, Injectable } from '@nestjs/common';
import type { ListOrdersQuery, OrderHistoryPageDto } from '@storefront/contracts';
import { InvalidOrderCursorError, OrderAccessDeniedError } from '../../../domain/order.errors';
import { ORDER_HISTORY_READER, type OrderHistoryReader } from '../../ports/order-history.port';
import { visibleCustomer, type Viewer } from '../../viewer';

const DEFAULT_LIMIT = 20;

function encodeCursor(placedAt: string, orderId: string): string {
  return Buffer.from(JSON.stringify({ p: placedAt, o: orderId })).toString('base64url');
}

function decodeCursor(cursor: string): { placedAt: Date; orderId: string } {
  try {
    const { p, o } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown; o?: unknown };
    if (typeof p === 'string' && typeof o === 'string' && !Number.isNaN(Date.parse(p)) && /^[0-9a-f-]{36}$/.test(o)) {
      return { placedAt: new Date(p), orderId: o };
    }
  } catch {
    // fall through
  }
  throw new InvalidOrderCursorError();
}

/** Lists orders from the read model, newest first, with keyset pagination. */
@Injectable()
export class ListOrdersHandler {
  constructor(@Inject(ORDER_HISTORY_READER) private readonly history: OrderHistoryReader) {}

  async execute(query: ListOrdersQuery, viewer: Viewer): Promise<OrderHistoryPageDto> {
    const own = visibleCustomer(viewer);
    if (own !== undefined && query.customerId !== undefined && query.customerId !== own) {
      throw new OrderAccessDeniedError('Customers can list only their own orders');
    }
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.history.list({
      customerId: own ?? query.customerId,
      status: query.status,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.placedAt, last.id) : null };
  }
}
