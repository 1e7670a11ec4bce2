import { toAvailabilityDto } from './product.mapper';

describe('toAvailabilityDto', () => {
  it('passes on what the catalog knows', () => {
    expect(toAvailabilityDto({ status: 'low', available: 3, known: true, version: 1 })).toEqual({ status: 'low', available: 3 });
    expect(toAvailabilityDto({ status: 'out_of_stock', available: 0, known: true, version: 1 })).toEqual({
      status: 'out_of_stock',
      available: 0,
    });
  });

  it.each([
    ['a SKU the catalog has not heard of', { status: 'unknown', available: 0, known: false, version: 0 }],
    ['a catalog that sends no availability', undefined],
    ['a status this gateway does not know', { status: 'backordered', available: 4, known: true, version: 2 }],
  ])('answers unknown with null units for %s', (_case, availability) => {
    expect(toAvailabilityDto(availability)).toEqual({ status: 'unknown', available: null });
  });
});
