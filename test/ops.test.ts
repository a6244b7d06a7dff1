import { runOpTable, runOpTableFloat32 } from './op-table.js';

runOpTable('js');
runOpTableFloat32('js');
