// Preloaded (node -r) into a benchmarked CLI run: prints the process's peak RSS on stderr at exit.
process.on('exit', () => require('fs').writeSync(2, `\naf-bench-maxrss-kb ${process.resourceUsage().maxRSS}\n`));
