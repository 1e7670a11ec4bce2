export interface CreateProductCommand {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly categorySlug: string;
  readonly price: { readonly amountMinor: number; readonly currency: string };
  readonly imageUrl: string | null;
}
