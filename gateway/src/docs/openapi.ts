import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { GatewayModule } from '../gateway.module';

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setUpOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Storefront API')
    .setDescription(
      'The public API of the Storefront reference application. Every error is application/problem+json ' +
        'with a stable `code`; every response carries `x-request-id`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Locally: npm run -s token -- alice (or --admin)' })
    .build();
  // Only the gateway's own routes: /health and /metrics (service-kit's) are for probes and scrapers.
  const document = SwaggerModule.createDocument(app, config, { include: [GatewayModule] });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
