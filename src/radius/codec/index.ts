export * from './codes.js';
export * from './errors.js';
export * from './packet.js';
export * from './values.js';
export * from './crypto.js';
export * from './encode.js';
export * from './get.js';
