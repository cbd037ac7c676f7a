/** A minimal CLI with only the store commands, for the child-process tests (EPIPE, SIGINT). */
import { Command } from 'commander';
import { registerStoreCommands } from '../../src/store/commands.js';

const program = new Command().name('store-cli');
registerStoreCommands(program);
await program.parseAsync(process.argv);
