import { InvalidCursorError } from '../../../domain/catalog.errors';
import type { Product } from '../../../domain/product.aggregate';
import type { ProductPosition, ProductSortField } from '../../../domain/product.repository';
import type { ProductSort } from './list-products.query';

interface CursorPayload {
  s: ProductSort;
  v: string | number;
  id: string;
}

function sortValue(product: Product, field: ProductSortField): string | number {
  const state = product.snapshot;
  if (field === 'price') return state.price.amountMinor;
  if (field === 'createdAt') return state.createdAt.toISOString();
  return state.name;
}

/** Keyset cursor: the sort it belongs to plus the last row's sort value and id, base64url JSON. */
export function encodeCursor(sort: ProductSort, field: ProductSortField, last: Product): string {
  const payload: CursorPayload = { s: sort, v: sortValue(last, field), id: last.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeCursor(cursor: string, sort: ProductSort, field: ProductSortField): ProductPosition {
  let payload: Partial<CursorPayload>;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPayload>;
  } catch {
    throw new InvalidCursorError();
  }
  const expectedType = field === 'price' ? 'number' : 'string';
  const validValue = typeof payload.v === expectedType && (field !== 'createdAt' || !Number.isNaN(Date.parse(String(payload.v))));
  if (payload === null || payload.s !== sort || !validValue || typeof payload.id !== 'string' || payload.id.length > 64) {
    throw new InvalidCursorError();
  }
  return { value: payload.v as string | number, id: payload.id };
}
