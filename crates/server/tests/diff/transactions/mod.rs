//! Differential scripts of the transactions family (one test per script).
diff_scripts!(transactions: );
