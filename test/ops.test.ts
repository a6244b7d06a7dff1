import { runOpTable } from './op-table.js';

runOpTable('js');
