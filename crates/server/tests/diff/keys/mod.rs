//! Differential scripts of the keys family (one test per script).
diff_scripts!(keys: copy, del_exists, flush, keys_glob, move_db, object, rename, scan, scan_big, swapdb, type_dbsize);
