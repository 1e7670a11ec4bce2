import { z } from 'zod';
import { inventoryV1 as inventory, stockSkuSchema, type inventoryV1 } from '@storefront/contracts';
import { GrpcService, parseInput } from '@storefront/service-kit';
import { GetStockLevelsHandler, MAX_SKUS_PER_REQUEST } from '../../application/queries/get-stock-levels/get-stock-levels.handler';
import { GetStockHandler } from '../../application/queries/get-stock/get-stock.handler';

const stockSkusSchema = z.object({ skus: z.array(stockSkuSchema).max(MAX_SKUS_PER_REQUEST) });

/** inventory.v1.InventoryService: stock levels, with the same input rules as the REST API. */
@GrpcService()
@inventory.InventoryServiceControllerMethods()
export class InventoryGrpcController implements inventoryV1.InventoryServiceController {
  constructor(
    private readonly getStockHandler: GetStockHandler,
    private readonly getStockLevelsHandler: GetStockLevelsHandler,
  ) {}

  async getStock(request: inventoryV1.GetStockRequest): Promise<inventoryV1.GetStockResponse> {
    const sku = parseInput(stockSkuSchema, request.sku);
    return { stock: await this.getStockHandler.execute(sku) };
  }

  async getStockLevels(request: inventoryV1.GetStockLevelsRequest): Promise<inventoryV1.GetStockLevelsResponse> {
    const { skus } = parseInput(stockSkusSchema, { skus: request.skus });
    const { levels, unknownSkus } = await this.getStockLevelsHandler.execute(skus);
    return { stocks: levels, unknownSkus };
  }
}
