export * from './error-codes';
export * from './tributary-error';
