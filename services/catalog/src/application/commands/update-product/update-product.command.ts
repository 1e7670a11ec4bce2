export interface UpdateProductCommand {
  readonly id: string;
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly categorySlug?: string | undefined;
  readonly price?: { readonly amountMinor: number; readonly currency: string } | undefined;
  readonly imageUrl?: string | null | undefined;
}
