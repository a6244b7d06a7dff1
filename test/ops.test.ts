import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';

runOpTable('js');
runOpTableFloat32('js');
runDoubleBackward('js');
