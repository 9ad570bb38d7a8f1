//! Differential scripts of the expire family (one test per script).
diff_scripts!(expire: );
