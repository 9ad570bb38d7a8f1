//! Differential scripts of the protocol family (one test per script).
diff_scripts!(protocol: inline, multibulk, limits, pipeline, many_args);
