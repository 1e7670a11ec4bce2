import { AggregateRoot, type Money } from '@storefront/ddd';
import { InvalidProductError } from './catalog.errors';
import type { Category } from './category.entity';
import type { ProductDomainEvent, ProductField } from './product.domain-event';

const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{2,31}$/;
const MAX_NAME_LENGTH = 200;
const MAX_DESCRIPTION_LENGTH = 2000;

export interface ProductState {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: Category;
  readonly price: Money;
  readonly imageUrl: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewProduct {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: Category;
  readonly price: Money;
  readonly imageUrl: string | null;
}

export type ProductChanges = Partial<Pick<ProductState, 'name' | 'description' | 'category' | 'price' | 'imageUrl'>>;

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) {
    throw new InvalidProductError({ path: 'name', message: `must be 1-${MAX_NAME_LENGTH} characters` });
  }
  return trimmed;
}

function checkDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new InvalidProductError({ path: 'description', message: `must be at most ${MAX_DESCRIPTION_LENGTH} characters` });
  }
  return description;
}

function checkImageUrl(imageUrl: string | null): string | null {
  if (imageUrl === null) return null;
  if (!URL.canParse(imageUrl) || !/^https?:$/.test(new URL(imageUrl).protocol)) {
    throw new InvalidProductError({ path: 'imageUrl', message: 'must be an http(s) URL' });
  }
  return imageUrl;
}

/** A product for sale. The SKU is its identity across services and never changes. */
export class Product extends AggregateRoot<ProductDomainEvent> {
  private constructor(private state: ProductState) {
    super();
  }

  static create(input: NewProduct, now: Date): Product {
    if (!SKU_PATTERN.test(input.sku)) {
      throw new InvalidProductError({ path: 'sku', message: 'must be 3-32 upper-case letters, digits or dashes' });
    }
    const product = new Product({
      ...input,
      name: checkName(input.name),
      description: checkDescription(input.description),
      imageUrl: checkImageUrl(input.imageUrl),
      createdAt: now,
      updatedAt: now,
    });
    product.record({ kind: 'ProductCreated', product: product.state, occurredAt: now });
    return product;
  }

  /** Rebuilds a product loaded from storage; the rules held when it was saved. */
  static restore(state: ProductState): Product {
    return new Product(state);
  }

  /** Applies the given changes; returns whether anything actually changed. */
  update(changes: ProductChanges, now: Date): boolean {
    const next: ProductState = {
      ...this.state,
      name: changes.name === undefined ? this.state.name : checkName(changes.name),
      description: changes.description === undefined ? this.state.description : checkDescription(changes.description),
      category: changes.category ?? this.state.category,
      price: changes.price ?? this.state.price,
      imageUrl: changes.imageUrl === undefined ? this.state.imageUrl : checkImageUrl(changes.imageUrl),
    };
    const changedFields: ProductField[] = [];
    if (next.name !== this.state.name) changedFields.push('name');
    if (next.description !== this.state.description) changedFields.push('description');
    if (next.category.id !== this.state.category.id) changedFields.push('category');
    if (!next.price.equals(this.state.price)) changedFields.push('price');
    if (next.imageUrl !== this.state.imageUrl) changedFields.push('imageUrl');
    if (changedFields.length === 0) return false;
    this.state = { ...next, updatedAt: now };
    this.record({ kind: 'ProductUpdated', product: this.state, changedFields, occurredAt: now });
    return true;
  }

  get id(): string {
    return this.state.id;
  }

  get snapshot(): ProductState {
    return this.state;
  }
}
