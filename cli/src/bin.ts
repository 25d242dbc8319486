import { main } from './main';

// A reader that closes our stdout early (`members … | head -2`) ends the command quietly, like any
// Unix tool: the EPIPE is not an error to report.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

const io = {
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  out: (l: string) => void process.stdout.write(`${l}\n`),
  err: (l: string) => void process.stderr.write(`${l}\n`),
  drain: () => (process.stdout.writableNeedDrain ? new Promise<void>(resolve => process.stdout.once('drain', () => resolve())) : undefined),
};
main(process.argv.slice(2), io).then(code => {
  process.exitCode = code;
});
