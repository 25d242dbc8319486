import { main } from './main';

const io = { cwd: process.cwd(), out: (l: string) => process.stdout.write(`${l}\n`), err: (l: string) => process.stderr.write(`${l}\n`) };
main(process.argv.slice(2), io).then(code => {
  process.exitCode = code;
});
