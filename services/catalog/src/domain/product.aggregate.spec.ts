import { Money } from '@storefront/ddd';
import { InvalidProductError } from './catalog.errors';
import type { Category } from './category.entity';
import { Product } from './product.aggregate';

const books: Category = { id: 'c1', slug: 'books', name: 'Books', description: '' };
const audio: Category = { id: 'c2', slug: 'audio', name: 'Audio', description: '' };
const created = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-02-01T00:00:00Z');

function newProduct(overrides: Partial<Parameters<typeof Product.create>[0]> = {}): Product {
  return Product.create(
    {
      id: 'p1',
      sku: 'BOK-0001',
      name: 'Release It!',
      description: 'Production-ready software',
      category: books,
      price: Money.of(3999, 'USD'),
      imageUrl: null,
      ...overrides,
    },
    created,
  );
}

describe('Product', () => {
  it('is created with both timestamps at creation time', () => {
    const product = newProduct();
    expect(product.snapshot.createdAt).toEqual(created);
    expect(product.snapshot.updatedAt).toEqual(created);
  });

  it('trims its name', () => {
    expect(newProduct({ name: '  Release It!  ' }).snapshot.name).toBe('Release It!');
  });

  it.each([
    ['lower-case sku', { sku: 'bok-1' }, 'sku'],
    ['too short sku', { sku: 'AB' }, 'sku'],
    ['blank name', { name: '   ' }, 'name'],
    ['name over 200 characters', { name: 'x'.repeat(201) }, 'name'],
    ['description over 2000 characters', { description: 'x'.repeat(2001) }, 'description'],
    ['image url that is not http', { imageUrl: 'ftp://example.com/a.png' }, 'imageUrl'],
    ['image url that is not a url', { imageUrl: 'not a url' }, 'imageUrl'],
  ])('cannot be created with a %s', (_case, overrides, path) => {
    expect(() => newProduct(overrides)).toThrow(InvalidProductError);
    try {
      newProduct(overrides);
    } catch (error) {
      expect((error as InvalidProductError).issues[0]?.path).toBe(path);
    }
  });

  it('reports a change and moves updatedAt when a field changes', () => {
    const product = newProduct();
    expect(product.update({ price: Money.of(4999, 'USD'), category: audio }, later)).toBe(true);
    expect(product.snapshot.price.amountMinor).toBe(4999);
    expect(product.snapshot.category.slug).toBe('audio');
    expect(product.snapshot.updatedAt).toEqual(later);
    expect(product.snapshot.createdAt).toEqual(created);
  });

  it('reports no change and keeps updatedAt when the values are the same', () => {
    const product = newProduct();
    expect(product.update({ name: 'Release It!', price: Money.of(3999, 'USD') }, later)).toBe(false);
    expect(product.snapshot.updatedAt).toEqual(created);
  });

  it('refuses an invalid change and keeps its previous state', () => {
    const product = newProduct();
    expect(() => product.update({ name: '', price: Money.of(1, 'USD') }, later)).toThrow(InvalidProductError);
    expect(product.snapshot.name).toBe('Release It!');
    expect(product.snapshot.price.amountMinor).toBe(3999);
  });

  it('can clear its image', () => {
    const product = newProduct({ imageUrl: 'https://example.com/a.png' });
    expect(product.update({ imageUrl: null }, later)).toBe(true);
    expect(product.snapshot.imageUrl).toBeNull();
  });
});
