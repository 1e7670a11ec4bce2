import fc from 'fast-check';
import { Money } from '@storefront/ddd';
import { InvalidCursorError } from '../../../domain/catalog.errors';
import { Product } from '../../../domain/product.aggregate';
import { decodeCursor, encodeCursor } from './product-cursor';

const category = { id: 'c', slug: 'books', name: 'Books', description: '' };
const product = Product.restore({
  id: '3cf030d8-fe8d-4f22-9a3a-005e245d20a0',
  sku: 'BOK-0001',
  name: 'Release It!',
  description: '',
  category,
  price: Money.of(3999, 'USD'),
  imageUrl: null,
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  updatedAt: new Date('2026-01-01T00:00:00.000Z'),
});

describe('product cursor', () => {
  it.each([
    ['name', 'name', 'Release It!'],
    ['-price', 'price', 3999],
    ['createdAt', 'createdAt', '2026-01-01T00:00:00.000Z'],
  ] as const)('round-trips the position for sort %s', (sort, field, value) => {
    const cursor = encodeCursor(sort, field, product);
    expect(decodeCursor(cursor, sort, field)).toEqual({ value, id: product.id });
  });

  it('is refused by a listing with another sort order', () => {
    const cursor = encodeCursor('name', 'name', product);
    expect(() => decodeCursor(cursor, '-name', 'name')).toThrow(InvalidCursorError);
    expect(() => decodeCursor(cursor, 'price', 'price')).toThrow(InvalidCursorError);
  });

  it('refuses any string it did not issue', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (junk) => {
        const cursor = Buffer.from(junk).toString('base64url');
        let decoded: unknown;
        try {
          decoded = decodeCursor(cursor, 'price', 'price');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCursorError);
          return;
        }
        // Only a well-formed payload for this sort gets through.
        expect(decoded).toEqual(expect.objectContaining({ value: expect.any(Number), id: expect.any(String) }));
      }),
    );
  });
});
