/**
 * The web page and its read API (issue 13), reached by the receiver through this module only.
 */
export { WebServer, type WebDeps } from './server.js';
