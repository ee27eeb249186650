// Prints a line for the name given on the command line.
export function main(argv) {
  const name = argv[2] ?? 'world';
  return `hi ${name}`;
}
