import { status } from '@grpc/grpc-js';
import { catalogGrpcClient, startCatalog, type CatalogUnderTest } from './catalog-app';

/** A "bad version" on purpose (FAULT_ERROR_RATE), as a canary experiment ships it. */
describe('catalog with FAULT_ERROR_RATE=1', () => {
  let catalog: CatalogUnderTest;
  let client: ReturnType<typeof catalogGrpcClient>;

  beforeAll(async () => {
    catalog = await startCatalog({ FAULT_ERROR_RATE: '1' });
    client = catalogGrpcClient(catalog.grpcAddress);
  });

  afterAll(async () => {
    client.close();
    await catalog.close();
  });

  it('answers every REST request 503 FAULT.INJECTED as problem+json', async () => {
    const response = await fetch(`${catalog.httpUrl}/products?limit=1`, { headers: { 'x-request-id': 'fault-1' } });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    await expect(response.json()).resolves.toMatchObject({ code: 'FAULT.INJECTED', requestId: 'fault-1', instance: '/products' });
  });

  it('answers every gRPC call UNAVAILABLE with the code in its trailer', async () => {
    const failure = await client.call('listProducts', { limit: 1 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: status.UNAVAILABLE });
    expect((failure as { metadata: { get(key: string): unknown[] } }).metadata.get('error-code')).toEqual(['FAULT.INJECTED']);
  });

  it('stays ready and counts what it injected, so only its answers show the fault', async () => {
    expect((await fetch(`${catalog.httpUrl}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${catalog.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^storefront_injected_faults_total\{fault="error"\} [1-9]/m);
  });
});
