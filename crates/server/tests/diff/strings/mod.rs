//! Differential scripts of the strings family (one test per script).
diff_scripts!(strings: );
