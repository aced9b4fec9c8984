export * from './packets.js';
export * from './client.js';
export * from './mikrotik.js';
