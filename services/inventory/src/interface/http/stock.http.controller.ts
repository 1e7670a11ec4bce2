import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { restockBodySchema, stockSkuSchema, type RestockBody, type StockLevelDto } from '@storefront/contracts';
import { Authenticated } from '@storefront/service-kit';
import { RestockHandler } from '../../application/commands/restock/restock.handler';
import { GetStockLevelsHandler, MAX_SKUS_PER_REQUEST } from '../../application/queries/get-stock-levels/get-stock-levels.handler';
import { GetStockHandler } from '../../application/queries/get-stock/get-stock.handler';

const stockLevelsQuerySchema = z.strictObject({
  skus: z
    .string()
    .max(MAX_SKUS_PER_REQUEST * 33)
    .transform((value) => value.split(','))
    .pipe(z.array(stockSkuSchema).min(1).max(MAX_SKUS_PER_REQUEST, `must hold at most ${MAX_SKUS_PER_REQUEST} SKUs`))
    .describe(`Comma-separated SKUs, at most ${MAX_SKUS_PER_REQUEST}`),
});
type StockLevelsQuery = z.output<typeof stockLevelsQuerySchema>;

export interface StockLevelListDto {
  /** Levels of the known SKUs, in request order. */
  readonly items: StockLevelDto[];
  readonly unknownSkus: string[];
}

@Controller('stock')
export class StockHttpController {
  constructor(
    private readonly getStock: GetStockHandler,
    private readonly getStockLevels: GetStockLevelsHandler,
    private readonly restockHandler: RestockHandler,
  ) {}

  @Get()
  async list(@Query({ schema: stockLevelsQuerySchema }) query: StockLevelsQuery): Promise<StockLevelListDto> {
    const { levels, unknownSkus } = await this.getStockLevels.execute(query.skus);
    return { items: levels, unknownSkus };
  }

  @Get(':sku')
  get(@Param('sku', { schema: stockSkuSchema }) sku: string): Promise<StockLevelDto> {
    return this.getStock.execute(sku);
  }

  /** Admin: adds units to available. */
  @Post(':sku/restock')
  @Authenticated('admin')
  @HttpCode(HttpStatus.OK)
  restock(
    @Param('sku', { schema: stockSkuSchema }) sku: string,
    @Body({ schema: restockBodySchema }) body: RestockBody,
  ): Promise<StockLevelDto> {
    return this.restockHandler.execute({ sku, quantity: body.quantity });
  }
}
