//! Differential scripts of the server family (one test per script).
diff_scripts!(server: );
