// Each command module registers itself on import; add one line per command.
import './demo.js';
import './graph.js';
import './plot.js';
import './solve.js';
import './check.js';
import './textclf.js';
