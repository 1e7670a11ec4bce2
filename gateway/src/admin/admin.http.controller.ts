import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  paymentProviderSettingsSchema,
  restockBodySchema,
  stockLevelSchema,
  stockSkuSchema,
  type PaymentProviderSettings,
  type RestockBody,
} from '@storefront/contracts';
import { Authenticated } from '@storefront/service-kit';
import { ApiProblemResponses } from '../docs/api-problem-responses';
import { INVENTORY_SERVICE, PAYMENT_SERVICE } from '../downstream/downstreams';
import { relay, type RestDownstream } from '../downstream/rest-downstream';

/**
 * Running the shop: restocking and the simulated payment provider's fault settings (for the failure
 * experiments). Admin tokens only, checked here and again by the service that does the work.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
@Authenticated('admin')
export class AdminHttpController {
  constructor(
    @Inject(INVENTORY_SERVICE) private readonly inventory: RestDownstream,
    @Inject(PAYMENT_SERVICE) private readonly payment: RestDownstream,
  ) {}

  @Post('stock/:sku/restock')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Add units to a product’s stock' })
  @ApiOkResponse({ standardSchema: stockLevelSchema })
  @ApiProblemResponses(400, 401, 403, 404, 429, 503, 504)
  async restock(
    @Param('sku', { schema: stockSkuSchema }) sku: string,
    @Body({ schema: restockBodySchema }) body: RestockBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return relay(reply, await this.inventory.call('POST', `/stock/${sku}/restock`, request, { body }));
  }

  @Get('payment-provider')
  @ApiOperation({ summary: 'The simulated payment provider’s current fault settings' })
  @ApiOkResponse({ standardSchema: paymentProviderSettingsSchema })
  @ApiProblemResponses(401, 403, 429, 503, 504)
  async providerSettings(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    return relay(reply, await this.payment.call('GET', '/admin/provider', request));
  }

  @Put('payment-provider')
  @ApiOperation({ summary: 'Change the simulated payment provider’s latency and failure rates' })
  @ApiOkResponse({ standardSchema: paymentProviderSettingsSchema })
  @ApiProblemResponses(400, 401, 403, 429, 503, 504)
  async configureProvider(
    @Body({ schema: paymentProviderSettingsSchema }) body: PaymentProviderSettings,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return relay(reply, await this.payment.call('PUT', '/admin/provider', request, { body }));
  }
}
