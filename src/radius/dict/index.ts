export * from '../codec/types.js';
export * from './parse.js';
export * from './dictionary.js';
export * from './attrs.js';
export { defaultDictionaryDir, loadDictionary, readDictionaryFiles } from './load.js';
