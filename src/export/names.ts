// The names `buran machine export` accepts. No imports: the CLI's option
// definitions read them before the export code is loaded.

/**
 * The export formats, as `--format` accepts them.
 * @example
 * for (const format of EXPORT_FORMATS) writeFileSync(`run.${format}`, exportMachine('run', format));
 */
export const EXPORT_FORMATS = ['json', 'scxml', 'mermaid', 'dot'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * buran's charts by name, as `--machine` accepts them.
 * @example
 * MACHINE_NAMES.map((name) => describeMachine(name).states.length);
 */
export const MACHINE_NAMES = ['run', 'task'] as const;
export type MachineName = (typeof MACHINE_NAMES)[number];
