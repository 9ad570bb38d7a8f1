//! Differential scripts of the hashes family (one test per script).
diff_scripts!(hashes: );
