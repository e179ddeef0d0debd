/**
 * The ES module face of the API (import { listen } from 'moonbridge-lua'):
 * the CommonJS build re-exported, so that both share one instance.
 */
export * from './index.js';
