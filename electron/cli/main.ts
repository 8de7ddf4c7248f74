/**
 * `npm run cli -- <command>`: Tessera from the command line. Exit codes: 0 ok, 2 bad input
 * (including unusable options), 3 model error, 130 cancelled (SIGINT), 1 anything else.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';

// `tessera … --json | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const program = new Command('tessera')
  .description('Tessera: semantic image synthesis (VQGAN + transformer) from label maps.')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();
for (const register of COMMANDS) register(program);
program.commands.forEach(function override(c: Command): void {
  c.exitOverride();
  c.commands.forEach(override);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not errors; every other commander error is a usage error (bad input).
    process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? 0 : 2;
  } else throw error;
}
