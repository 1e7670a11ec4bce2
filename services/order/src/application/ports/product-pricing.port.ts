/** What the order needs from the catalog at placement: current name, SKU and price per product. */
export interface ProductPrice {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly unitPriceMinor: number;
  readonly currency: string;
}

export interface ProductPricing {
  /** Prices of the products that exist; unknown ids are listed in `missing`. */
  price(productIds: readonly string[]): Promise<{ prices: ProductPrice[]; missing: string[] }>;
}

export const PRODUCT_PRICING = Symbol('ProductPricing');
