// The command table: every command of the CLI, in the order `chainrule help` lists them. A new
// command is a module exporting its Command object, and one entry here.
import { check } from './check.js';
import type { Command } from './command.js';
import { demo } from './demo.js';
import { examples } from './examples.js';
import { exportCommand } from './export.js';
import { graph } from './graph.js';
import { playground } from './playground.js';
import { plot } from './plot.js';
import { solve } from './solve.js';
import { textclf } from './textclf.js';

export const COMMANDS: readonly Command[] = [solve, check, graph, plot, examples, demo, playground, textclf, exportCommand];
