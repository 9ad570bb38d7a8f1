//! Differential scripts of the resp3 family (one test per script).
diff_scripts!(resp3: types, config_info, transactions);
