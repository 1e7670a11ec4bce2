export { createTestDatabase, type TestDatabase, TEST_POSTGRES_URL } from './test-database';
export { freePort, isPortFree } from './ports';
export { waitFor } from './wait-for';
export { OwnPostgres, postgresAnswers } from './own-postgres';
export { OwnNatsServer } from './own-nats-server';
export { runServiceProcess, type ServiceProcess } from './service-process';
