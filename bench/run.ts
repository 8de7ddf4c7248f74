/**
 * `npm run bench -- [--model ID|PATH] [--sizes 16,32] [--backend cpu] [--no-python] …`: the same as
 * `npm run cli -- bench …` (options: `npm run bench -- --help`). Writes bench/results/*.json.
 */
import { Command, CommanderError } from 'commander';
import { registerBench } from '../electron/cli/commands/bench.ts';

const program = new Command('bench').exitOverride();
registerBench(program);
const bench = program.commands[0] as Command;
bench.exitOverride();
try {
  await program.parseAsync(['bench', ...process.argv.slice(2)], { from: 'user' });
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : 2;
}
