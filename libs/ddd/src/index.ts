export * from './aggregate-root';
export * from './domain-error';
export * from './money.value-object';
export * from './transaction';
