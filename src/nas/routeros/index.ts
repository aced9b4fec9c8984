export * from './errors.js';
export * from './wire.js';
export * from './connect.js';
export * from './client.js';
export * from './commands.js';
export * from './reconcile.js';
export * from './sessions.js';
