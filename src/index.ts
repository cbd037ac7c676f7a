/** Library entry: start a receiver from code (tests, embedding). */
export { Receiver, type ReceiverOptions, type ReceiverAddresses } from './receiver.js';
export { loadConfigFile, parseConfig, defaultConfigText, writeDefaultConfig, DEFAULT_CONFIG_FILE } from './config/load.js';
export { validateConfig, ConfigError, type Config } from './config/schema.js';
export type { SyslogRecord } from './record.js';
export { RecordBatch, RecordStatus, type AppRecords, type Sink, type SinkEntry, type SinkFailure, type WriteResult } from './sinks/types.js';
export type { FrontEnd } from './transports/types.js';
