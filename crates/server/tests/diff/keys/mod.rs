//! Differential scripts of the keys family (one test per script).
diff_scripts!(keys: );
